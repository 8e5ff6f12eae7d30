import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnectionIndexStore } from '../../src/cache/redis-connection-index-store.js';
import type { ConnectionEvent } from '../../src/domain/connection-index.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock } from '../helpers/clock.js';
import { startRedisCluster, type RunningRedisCluster } from '../helpers/redis.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * The index on a three-master Redis Cluster, two gateway instances: a flip at
 * the simulator is one event per tenant, a mutation through either instance
 * one MUTATION event, its idempotent replay through the other none.
 */

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
const TENANTS = [
  { id: 'acme', apiKey: newApiKey('acme') },
  { id: 'other', apiKey: newApiKey('other') },
];
const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      userErrors {
        code
      }
    }
  }
`;

describe('connection index on a Redis Cluster, two instances', () => {
  const seed = structuredClone(LEEN_SEED) as Mutable<LeenSeedOrganization[]>;
  const org = seed[0]!;
  const clock = manualClock();
  let cluster: RunningRedisCluster;
  let sandbox: RunningSandbox;
  let reader: ReturnType<typeof createRedisConnectionIndexStore>;
  let a: TestStack;
  let b: TestStack;
  const events = async (tenant: string): Promise<readonly ConnectionEvent[]> =>
    (await reader.readEvents(tenant, { after: null, limit: 1000 })).events;
  const both = () => Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);

  beforeAll(async () => {
    [cluster, sandbox] = await Promise.all([startRedisCluster(), startSandbox({ leen: { seed } })]);
    const config = {
      tenants: TENANTS.map((t) => ({
        id: t.id,
        apiKeySha256: [sha256(t.apiKey)],
        vendors: {
          leen: {
            baseUrl: sandbox.get('LEEN').url,
            apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
            organizations: seed.map((o) => ({ id: o.id, displayName: o.name })),
          },
        },
      })),
      cache: { redisClusterNodes: cluster.nodes, enabled: false, commandTimeoutMs: 1000 },
      sync: { enabled: true },
    };
    const start = { now: clock.now, backgroundSync: 'manual' as const };
    [a, b] = [
      await startStack({ sharedSandbox: sandbox, config, start }),
      await startStack({ sharedSandbox: sandbox, config, start }),
    ];
    reader = createRedisConnectionIndexStore({
      clusterNodes: cluster.nodes,
      commandTimeoutMs: 2000,
      retention: { maxEntries: 1000, maxAgeSeconds: 0 },
    });
    await reader.ready();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), reader?.close()]);
    await Promise.all([sandbox?.close(), cluster?.close()]);
  });

  it('logs a flip once per tenant and a mutation once, whichever instance serves its retry', async () => {
    const baseline = await both();
    expect(baseline.reduce((sum, r) => sum + (r.baseline ?? 0), 0)).toBe(TENANTS.length * seed.length);
    org.connections[0]!.state = 'PAUSED';
    sandbox.get('LEEN').reset();
    clock.advance(61_000);
    await both();
    for (const { id } of TENANTS)
      expect((await events(id)).map((e) => [e.tenantId, e.type, e.connectionKey])).toEqual([
        [id, 'STATUS_CHANGED', org.connections[0]!.id],
      ]);

    const input = {
      connectionId: globalId(['Connection', 'LEEN', org.id, org.connections[1]!.id]),
      idempotencyKey: 'k1',
    };
    const [acme] = TENANTS;
    expect((await a.gql(DELETE, { input }, { apiKey: acme!.apiKey })).body.data).toEqual({
      deleteConnection: { userErrors: [] },
    });
    expect((await b.gql(DELETE, { input }, { apiKey: acme!.apiKey })).body.data).toEqual({
      deleteConnection: { userErrors: [] },
    });
    const logged = await events('acme');
    expect(logged.map((e) => [e.type, e.connectionKey, e.source.kind])).toEqual([
      ['STATUS_CHANGED', org.connections[0]!.id, 'SYNC'],
      ['REMOVED', org.connections[1]!.id, 'MUTATION'],
    ]);
    // The other tenant's index learns of it at its next sync, as a change made outside it.
    clock.advance(61_000);
    await both();
    expect((await events('acme')).length).toBe(2);
    expect((await events('other')).map((e) => [e.type, e.source.kind])).toEqual([
      ['STATUS_CHANGED', 'SYNC'],
      ['REMOVED', 'SYNC'],
    ]);
    const counts = await reader.counts('acme');
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(seed.reduce((n, o) => n + o.connections.length, 0) - 1);
  });
});
