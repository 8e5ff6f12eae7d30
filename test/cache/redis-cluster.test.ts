import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCacheCounters } from '../../src/cache/cache-events.js';
import { createRedisCache } from '../../src/cache/redis-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startRedisCluster, type RunningRedisCluster } from '../helpers/redis.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
import {
  DASHBOARD_QUERY,
  DASHBOARD_SEED,
  DELETE_CONNECTION,
  GET_ROUTE,
  LIST_ROUTE,
  connectionGid,
  eventually,
  listedConnections,
  type DashboardData,
} from './dashboard.js';

/**
 * The same cache behaviour on a three-master Redis Cluster: two tenants, two
 * gateway instances. A tenant's keys share one hash tag, so each batch is one
 * MGET on one master; killing that master costs caching, never a query.
 */

const tenants = [
  { id: 'dash', apiKey: newApiKey('dash') },
  { id: 'other', apiKey: newApiKey('other') },
];
const tenantsOn = (sandbox: RunningSandbox) =>
  tenants.map((t) => ({
    id: t.id,
    apiKeySha256: [sha256(t.apiKey)],
    vendors: {
      leen: {
        baseUrl: sandbox.get('LEEN').url,
        apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
        organizations: DASHBOARD_SEED.map((o) => ({ id: o.id, displayName: o.name })),
      },
    },
  }));
const API_KEY = tenants[0]!.apiKey;

describe('Redis Cluster cache (three masters, two gateway instances)', () => {
  let cluster: RunningRedisCluster;
  let sandbox: RunningSandbox;
  let a: TestStack;
  let b: TestStack;
  const countersA = createCacheCounters();
  let admin: ReturnType<typeof createRedisCache>;

  const stackOn = (start = {}) =>
    startStack({
      sharedSandbox: sandbox,
      config: { tenants: tenantsOn(sandbox), cache: { redisClusterNodes: cluster.nodes, commandTimeoutMs: 500 } },
      start,
    });

  beforeAll(async () => {
    [cluster, sandbox] = await Promise.all([startRedisCluster(), startSandbox({ leen: { seed: DASHBOARD_SEED } })]);
    a = await stackOn({ cacheObserver: countersA.observer });
    b = await stackOn();
    admin = createRedisCache({ clusterNodes: cluster.nodes, commandTimeoutMs: 2000, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), admin?.close()]);
    await Promise.all([sandbox?.close(), cluster?.close()]);
  });
  beforeEach(async () => {
    sandbox.reset();
    await eventually('the cluster to be emptied', async () => {
      await admin.clear();
      return (await cluster.keys()).length === 0;
    });
    await cluster.resetStats();
  });

  const leen = () => sandbox.get('LEEN');
  const dashboard = async (stack: TestStack, apiKey = API_KEY) => {
    const { body } = await stack.gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey });
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it("keeps each tenant's keys in one slot, so a cached dashboard is one MGET on one master", async () => {
    await Promise.all([dashboard(a, tenants[0]!.apiKey), dashboard(a, tenants[1]!.apiKey)]);
    const keys = await cluster.keys();
    for (const tenant of tenants) {
      const own = keys.filter((k) => k.startsWith(`junction:{${tenant.id}}:`));
      // 50 reads, the generation and the dashboard's whole answer.
      expect(own).toHaveLength(52);
      const slots = new Set(await Promise.all(own.map((k) => cluster.slotOf(k))));
      expect(slots.size).toBe(1);
    }

    sandbox.reset();
    await cluster.resetStats();
    await dashboard(b);
    expect(leen().stats().total).toBe(0);
    const calls = await cluster.commandCalls();
    expect(calls.mget).toBe(1);
    expect(calls.get ?? 0).toBe(0);
  });

  it('fetches each distinct resource once, then zero times; a mutation through one instance shows in the other', async () => {
    const org = DASHBOARD_SEED[2]!;
    await dashboard(a);
    expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
    sandbox.reset();
    await dashboard(b);
    expect(leen().stats().total).toBe(0);

    const { body } = await a.gql(
      DELETE_CONNECTION,
      { input: { connectionId: connectionGid(org, 1) } },
      { apiKey: API_KEY },
    );
    expect(body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
    expect(listedConnections(await dashboard(b), org)).toEqual([org.connections[0]!.id]);
  });

  it("the tenant's master killed mid-run: queries still succeed, and caching resumes once it is back", async () => {
    const first = await dashboard(a);
    const master = await cluster.masterOf('junction:{dash}:x');
    const faultsBefore = countersA.counters.faults;
    await cluster.kill(master);
    try {
      sandbox.reset();
      expect(await dashboard(a)).toEqual(first);
      expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
      expect(countersA.counters.faults).toBeGreaterThan(faultsBefore);
    } finally {
      await cluster.restart(master);
    }
    await eventually('caching to resume on the cluster', async () => {
      await dashboard(a);
      sandbox.reset();
      await dashboard(a);
      return leen().stats().total === 0;
    });
  });

  it('an automatic persisted query registered through one instance runs by hash on the other (untagged key)', async () => {
    const query = '{ organizations { displayName } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const post = async (stack: TestStack, body: Record<string, unknown>) => {
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    };
    const registered = await post(a, { query, extensions: { persistedQuery } });
    expect(registered.errors).toBeUndefined();
    const byHash = await post(b, { extensions: { persistedQuery } });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual(registered.data);
  });
});
