import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { createRedisConnectionIndexStore, eventStreamKey } from '../../src/cache/redis-connection-index-store.js';
import { createRedisLeaseStore, leaseKey } from '../../src/cache/lease-store.js';
import { startRedis, startRedisCluster, type RunningRedis, type RunningRedisCluster } from '../helpers/redis.js';
import { connectionGlobalId } from '../../src/domain/global-id.js';
import { NO_ACTIONS } from '../../src/domain/models.js';
import { connection } from './fixtures.js';
import { retentionContract, storeContract, type StoreUnderTest } from './store-contract.js';

/** The connection index and leases on a real redis-server, single node and a three-master Cluster. */

type Target = { url?: string; clusterNodes?: readonly string[] };

function redisSetup(target: () => Target, admin: () => Redis | Cluster) {
  const open: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });
  return async (maxEntries = 1000): Promise<StoreUnderTest> => {
    const options = { ...target(), commandTimeoutMs: 2000 };
    const store = createRedisConnectionIndexStore({ ...options, retention: { maxEntries, maxAgeSeconds: 0 } });
    const leases = [
      createRedisLeaseStore({ ...options, owner: 'instance-a' }),
      createRedisLeaseStore({ ...options, owner: 'instance-b' }),
    ] as const;
    open.push(store, ...leases);
    await Promise.all([store.ready(), ...leases.map((l) => l.ready())]);
    return {
      store,
      leases,
      // Redis' own expiry, shortened: the lease key disappears as it would at the end of its TTL.
      async expire(tenantId, name) {
        await admin().pexpire(leaseKey(tenantId, name), 1);
        for (let i = 0; i < 100 && (await admin().exists(leaseKey(tenantId, name))); i++)
          await new Promise((resolve) => setTimeout(resolve, 10));
      },
    };
  };
}

describe('connection index on a single redis-server', () => {
  let redis: RunningRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.close();
  });
  const setup = redisSetup(
    () => ({ url: redis.url }),
    () => admin,
  );
  describe('store', () => storeContract(() => setup()));
  // MAXLEN ~ trims whole macro nodes (100 entries by default): a small limit still bounds the log.
  describe('retention', () => retentionContract(() => setup(100), 100));

  it('keeps every key of a tenant under its hash tag', async () => {
    const { store } = await setup();
    await store.commit(
      { tenantId: 'tagged', vendor: 'LEEN', organizationId: 'o' },
      { expectedVersion: null, syncedAt: new Date().toISOString(), connections: [], events: [], lease: null },
    );
    const keys = await admin.keys('*tagged*');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith('junction:{tagged}:')).toBe(true);
    expect(eventStreamKey('tagged')).toBe('junction:{tagged}:index:v1:events');
  });

  it('stores connections without their IDs and reads them back with them, entries stored before models had IDs too', async () => {
    const { store } = await setup();
    const unit = { tenantId: 'ids', vendor: 'LEEN' as const, organizationId: 'org-1' };
    const connections = [connection('k1'), connection('k2')];
    await store.commit(unit, {
      expectedVersion: null,
      syncedAt: new Date().toISOString(),
      connections,
      events: [],
      lease: null,
    });
    const [key] = await admin.keys('*{ids}*org*');
    const stored = JSON.parse((await admin.hget(key!, 'd'))!) as Record<string, unknown>[];
    expect(stored.map((c) => c.key)).toEqual(['k1', 'k2']);
    for (const c of stored) expect(c).not.toHaveProperty('id');
    const [entry] = await store.read('ids', [unit]);
    expect(entry?.connections).toEqual(connections);
    expect(entry?.connections.map((c) => c.id)).toEqual(
      ['k1', 'k2'].map((k) => connectionGlobalId('LEEN', 'org-1', k)),
    );
  });

  it('stores a connection without actions without its empty list, and reads it (as one stored before models had actions) with none', async () => {
    const { store } = await setup();
    const unit = { tenantId: 'actions', vendor: 'SUPERVITY' as const, organizationId: 'org-1' };
    const provider = connection('k2', {}, 'SUPERVITY').provider;
    const action = {
      vendor: 'SUPERVITY' as const,
      name: 'send-email',
      displayName: 'Send email',
      description: null,
      documentationUrls: [],
      notes: null,
      provider,
    };
    const connections = [connection('k1', {}, 'SUPERVITY'), connection('k2', { actions: [action] }, 'SUPERVITY')];
    await store.commit(unit, {
      expectedVersion: null,
      syncedAt: new Date().toISOString(),
      connections,
      events: [],
      lease: null,
    });
    const [key] = await admin.keys('*{actions}*org*');
    const stored = JSON.parse((await admin.hget(key!, 'd'))!) as Record<string, unknown>[];
    expect(stored[0]).not.toHaveProperty('actions');
    expect(stored[1]!.actions).toEqual([action]);
    const [entry] = await store.read('actions', [unit]);
    expect(entry?.connections).toEqual(connections);
    expect(entry?.connections[0]!.actions).toBe(NO_ACTIONS);
  });

  it("stores events' connections without their IDs and reads them back with them, events logged before too", async () => {
    const { store } = await setup();
    const unit = { tenantId: 'event-ids', vendor: 'LEEN' as const, organizationId: 'org-1' };
    const before = connection('k1');
    const after = connection('k1', { status: 'DISCONNECTED' });
    const { id: _id, ...beforeAsLoggedBefore } = before;
    const event = {
      type: 'STATUS_CHANGED',
      changes: ['STATUS_CHANGED'],
      time: new Date().toISOString(),
      tenantId: unit.tenantId,
      vendor: 'LEEN',
      organizationId: 'org-1',
      connectionKey: 'k1',
      before,
      after,
      source: { kind: 'SYNC' },
    } as const;
    await store.commit(unit, {
      expectedVersion: null,
      syncedAt: new Date().toISOString(),
      connections: [after],
      events: [event],
      lease: null,
    });
    // One logged the way every event was before models carried IDs.
    await admin.xadd(
      eventStreamKey(unit.tenantId),
      '*',
      'e',
      JSON.stringify({ ...event, before: beforeAsLoggedBefore, after: null }),
    );
    const logged = await admin.xrange(eventStreamKey(unit.tenantId), '-', '+');
    const stored = JSON.parse(logged[0]![1][1]!) as { before: object; after: object };
    expect(stored.before).not.toHaveProperty('id');
    expect(stored.after).not.toHaveProperty('id');
    const { events } = await store.readEvents(unit.tenantId, { after: null, limit: 10 });
    expect(events.map((e) => [e.before, e.after])).toEqual([
      [before, after],
      [before, null],
    ]);
    expect(events[1]!.before!.id).toBe(connectionGlobalId('LEEN', 'org-1', 'k1'));
  });
});

describe('connection index on a Redis Cluster (three masters)', () => {
  let cluster: RunningRedisCluster;
  let admin: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    admin = new Cluster(cluster.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
  });
  afterAll(async () => {
    admin?.disconnect();
    await cluster?.close();
  });
  const setup = redisSetup(
    () => ({ clusterNodes: cluster.nodes }),
    () => admin,
  );
  describe('store', () => storeContract(() => setup()));
});
