import { hostname } from 'node:os';
import { createMemoryConnectionIndexStore } from '../cache/connection-index-store.js';
import { createMemoryLeaseStore, createRedisLeaseStore } from '../cache/lease-store.js';
import { createRedisConnectionIndexStore } from '../cache/redis-connection-index-store.js';
import type { Config } from '../config/config.js';
import type { ConnectionIndexStore, LeaseStore } from '../domain/connection-index.js';
import { randomHex } from '../observability/random-ids.js';

/**
 * The connection index and its leases for one gateway instance: on Redis (or
 * Redis Cluster) when the cache is, so every instance shares them; in memory
 * otherwise (a single instance).
 */

export interface ConnectionIndex {
  readonly store: ConnectionIndexStore;
  readonly leases: LeaseStore;
  /** This instance's id, the owner of its leases. */
  readonly instanceId: string;
  close(): Promise<void>;
}

export async function createConnectionIndex(config: Config, now?: () => number): Promise<ConnectionIndex> {
  const { redisUrl, redisClusterNodes } = config.cache;
  const { commandTimeoutMs, events: retention } = config.sync;
  const instanceId = `${hostname()}:${process.pid}:${randomHex(4)}`;
  if (redisUrl || redisClusterNodes?.length) {
    const target = { url: redisUrl, clusterNodes: redisClusterNodes, commandTimeoutMs };
    const store = createRedisConnectionIndexStore({ ...target, retention });
    const leases = createRedisLeaseStore({ ...target, owner: instanceId });
    // Bounded: a fresh instance's first sync round should not fail on a connection still being made.
    await Promise.all([store.ready(), leases.ready()]);
    return { store, leases, instanceId, close: async () => void (await Promise.all([store.close(), leases.close()])) };
  }
  const leases = createMemoryLeaseStore({ owner: instanceId, ...(now && { now }) });
  const store = createMemoryConnectionIndexStore({ retention, leases, ...(now && { now }) });
  return { store, leases, instanceId, close: async () => {} };
}
