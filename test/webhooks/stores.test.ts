import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisWebhookStore } from '../../src/cache/redis-webhook-store.js';
import { createMemoryWebhookStore } from '../../src/cache/webhook-store.js';
import type { WebhookStore } from '../../src/domain/webhook-deliveries.js';
import { startRedis, startRedisCluster, type RunningRedis, type RunningRedisCluster } from '../helpers/redis.js';
import { storeContract } from './store-contract.js';

/** The webhook store contract on memory, a real redis-server and a three-master Redis Cluster. */

const retention = { maxAgeSeconds: 86_400, maxEntries: 1000 };

describe('memory webhook store', () => {
  storeContract(async () => createMemoryWebhookStore(retention));
});

function onRedis(target: () => { url?: string; clusterNodes?: readonly string[] }) {
  const open: WebhookStore[] = [];
  afterAll(async () => void (await Promise.all(open.map((s) => s.close()))));
  return async () => {
    const store = createRedisWebhookStore({ ...target(), commandTimeoutMs: 2000, retention });
    open.push(store);
    await store.ready();
    return store;
  };
}

describe('Redis webhook store', () => {
  let redis: RunningRedis;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(async () => redis?.close());
  storeContract(onRedis(() => ({ url: redis.url })));
});

describe('Redis Cluster webhook store', { timeout: 60_000 }, () => {
  let cluster: RunningRedisCluster;
  beforeAll(async () => void (cluster = await startRedisCluster()), 60_000);
  afterAll(async () => cluster?.close());
  storeContract(onRedis(() => ({ clusterNodes: cluster.nodes })));
});
