import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCacheCounters } from '../../src/cache/cache-events.js';
import { createRedisCache } from '../../src/cache/redis-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
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
 * The Redis cache on a real single-node redis-server, through two gateway
 * instances sharing it, against the Leen simulator seeded with a 25-organization,
 * 50-connection tenant. Upstream calls are counted by the simulator, Redis
 * round trips by Redis itself (INFO commandstats).
 */

const API_KEY = newApiKey('dash');
const tenantOn = (sandbox: RunningSandbox) => ({
  id: 'dash',
  apiKeySha256: [sha256(API_KEY)],
  vendors: {
    leen: {
      baseUrl: sandbox.get('LEEN').url,
      apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
      organizations: DASHBOARD_SEED.map((o) => ({ id: o.id, displayName: o.name })),
    },
  },
});

describe('Redis cache (single node, two gateway instances)', () => {
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let a: TestStack;
  let b: TestStack;
  const countersA = createCacheCounters();
  // Test-side client, to empty Redis between tests (clear() is SCAN + UNLINK).
  let admin: ReturnType<typeof createRedisCache>;

  const stackOn = (extra: Record<string, unknown> = {}, start = {}) =>
    startStack({
      sharedSandbox: sandbox,
      config: {
        tenants: [tenantOn(sandbox)],
        cache: { redisUrl: redis.url, commandTimeoutMs: 500, ...extra },
        // Short, for the test whose upstream read hangs.
        upstream: { timeoutMs: 2000 },
      },
      start,
    });

  beforeAll(async () => {
    [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ leen: { seed: DASHBOARD_SEED } })]);
    a = await stackOn({}, { cacheObserver: countersA.observer });
    b = await stackOn();
    admin = createRedisCache({ url: redis.url, commandTimeoutMs: 2000, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), admin?.close()]);
    await Promise.all([sandbox?.close(), redis?.close()]);
  });
  beforeEach(async () => {
    sandbox.reset();
    sandbox.get('LEEN').clearFaults();
    await eventually('the admin client to connect', () => admin.clear().then(() => true));
    await redis.resetStats();
  });

  const leen = () => sandbox.get('LEEN');
  const dashboard = async (stack: TestStack) => {
    const { body } = await stack.gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey: API_KEY });
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it('fetches each of the 50 distinct resources once, then serves the same query with zero upstream calls and one MGET', async () => {
    const first = await dashboard(a);
    expect(first.organizations).toHaveLength(25);
    expect(first.organizations.flatMap((o) => o.connections)).toHaveLength(50);
    expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });

    sandbox.reset();
    await redis.resetStats();
    const hitsBefore = countersA.counters.hits;
    expect(await dashboard(a)).toEqual(first);
    expect(leen().stats().total).toBe(0);
    // The same query again: its whole answer and the vendor's generation in one MGET; no read is even looked up.
    let calls = await redis.commandCalls();
    expect(calls.mget).toBe(1);
    expect(calls.get ?? 0).toBe(0);
    expect(calls.set ?? 0).toBe(0);
    expect(countersA.counters.hits - hitsBefore).toBe(0);

    // Another document over the same resources: no cached answer, but 50 cached reads, which the instance that
    // stored them kept near: no round trip for them.
    await redis.resetStats();
    const { body } = await a.gql<DashboardData>(`# another document\n${DASHBOARD_QUERY}`, undefined, {
      apiKey: API_KEY,
    });
    expect(body.data).toEqual(first);
    expect(leen().stats().total).toBe(0);
    calls = await redis.commandCalls();
    // One MGET looking for this document's answer; none for the reads.
    expect(calls.mget).toBe(1);
    expect(calls.get ?? 0).toBe(0);
    // Only this document's answer is stored; no read is stored again.
    expect(calls.set ?? 0).toBe(1);
    expect(countersA.counters.hits - hitsBefore).toBe(50);
  });

  it('the first query costs one MGET per batch plus one pipelined SET per batch, not one command per resource', async () => {
    await dashboard(a);
    const calls = await redis.commandCalls();
    // The answer's lookup, then the one batch of reads.
    expect(calls.mget).toBe(2);
    // One SET NX for the new generation, then 50 SETs sent as one pipeline (Redis counts each SET), then the answer.
    expect(calls.set).toBe(52);
  });

  it('a second gateway instance sharing the Redis is served from the cache the first one filled', async () => {
    await dashboard(a);
    sandbox.reset();
    await dashboard(b);
    expect(leen().stats().total).toBe(0);
  });

  it('after a mutation through one instance, the next read from the other reflects it', async () => {
    const org = DASHBOARD_SEED[3]!;
    await dashboard(b);
    await dashboard(a);
    expect(listedConnections(await dashboard(b), org)).toEqual(org.connections.map((c) => c.id).sort());
    sandbox.reset();

    const { body } = await a.gql(
      DELETE_CONNECTION,
      { input: { connectionId: connectionGid(org, 1) } },
      { apiKey: API_KEY },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ deleteConnection: { userErrors: [], connection: { vendorStatus: 'DELETED' } } });

    const after = await dashboard(b);
    expect(listedConnections(after, org)).toEqual([org.connections[0]!.id]);
    // The mutation invalidated the tenant's Leen reads: b fetched them again, once each, and cached them.
    expect(leen().stats().byRoute[LIST_ROUTE]).toBe(25);
    sandbox.reset();
    expect(listedConnections(await dashboard(a), org)).toEqual([org.connections[0]!.id]);
    expect(leen().stats().total).toBe(0);
  });

  it('an answer each instance serves from its near cache is never served after a mutation through the other', async () => {
    for (const org of DASHBOARD_SEED.slice(10, 14)) {
      // b answers from its own memory: the repeated query costs no Redis command and no vendor call.
      await eventually('b to serve the dashboard from its near cache', async () => {
        await dashboard(b);
        await redis.resetStats();
        sandbox.reset();
        const listed = listedConnections(await dashboard(b), org);
        const calls = await redis.commandCalls();
        return listed?.length === 2 && leen().stats().total === 0 && !calls.mget && !calls.get;
      });
      const { body } = await a.gql(
        DELETE_CONNECTION,
        { input: { connectionId: connectionGid(org, 1) } },
        { apiKey: API_KEY },
      );
      expect(body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
      // Right after the mutation answered: b's kept answer is gone, it reads afresh.
      expect(listedConnections(await dashboard(b), org)).toEqual([org.connections[0]!.id]);
    }
  });

  it('a read that fetched before a mutation and stores after it does not leave stale data behind', async () => {
    const org = DASHBOARD_SEED[5]!;
    const slowOrg = DASHBOARD_SEED[6]!;
    // An earlier mutation: the tenant's Leen generation exists, so the slow read below will store its results.
    const earlier = await a.gql(
      DELETE_CONNECTION,
      { input: { connectionId: connectionGid(DASHBOARD_SEED[7]!, 1) } },
      { apiKey: API_KEY },
    );
    expect(earlier.body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
    sandbox.reset();
    // org 6's list hangs until the upstream timeout, so the batch holding org 5's (pre-mutation) list stores it late.
    leen().addFault({
      method: 'GET',
      pathPrefix: `/provisioning/organizations/${slowOrg.id}/connections`,
      kind: 'hang',
      times: 1,
    });
    let slowSettled = false;
    const slow = a
      .gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey: API_KEY })
      .finally(() => (slowSettled = true));
    await eventually('both lists to be requested', async () =>
      [org, slowOrg].every((o) =>
        leen()
          .requests()
          .some((r) => r.path === `/provisioning/organizations/${o.id}/connections`),
      ),
    );

    const { body } = await b.gql(
      DELETE_CONNECTION,
      { input: { connectionId: connectionGid(org, 1) } },
      { apiKey: API_KEY },
    );
    expect(body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
    // The race this test is about: the mutation finished while the slow read was still in flight.
    expect(slowSettled).toBe(false);
    const stale = await slow;
    expect(listedConnections(stale.body.data, org)).toHaveLength(2);

    // The slow read stored org 5's old list after the invalidation, under the old generation: nobody reads it.
    expect(listedConnections(await dashboard(b), org)).toEqual([org.connections[0]!.id]);
    expect(listedConnections(await dashboard(a), org)).toEqual([org.connections[0]!.id]);
  });

  it('concurrent identical queries on one instance make one upstream call per resource', async () => {
    const orgs = DASHBOARD_SEED.slice(0, 3);
    const query = `{ ${orgs.map((o, i) => `o${i}: organization(id: "${globalId(['Organization', 'LEEN', o.id])}") { connections { id } }`).join(' ')} }`;
    // Slow answers, so all eight requests are waiting on the same reads.
    leen().addFault({ method: 'GET', latencyMs: 400 });
    const results = await Promise.all(Array.from({ length: 8 }, () => a.gql(query, undefined, { apiKey: API_KEY })));
    for (const { body } of results) expect(body.errors).toBeUndefined();
    expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 3 });
  });

  it('Redis killed mid-run: queries still succeed from upstream, and caching resumes once it is back', async () => {
    const first = await dashboard(a);
    const faultsBefore = countersA.counters.faults;
    await redis.kill();
    try {
      sandbox.reset();
      expect(await dashboard(a)).toEqual(first);
      expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
      expect(countersA.counters.faults).toBeGreaterThan(faultsBefore);
    } finally {
      await redis.restart();
    }
    const recoveriesBefore = countersA.counters.recoveries;
    // ioredis reconnects in the background; once it has, a query fills the cache and its repeat is free.
    await eventually('caching to resume', async () => {
      await dashboard(a);
      sandbox.reset();
      await dashboard(a);
      return leen().stats().total === 0;
    });
    expect(countersA.counters.recoveries).toBeGreaterThan(recoveriesBefore);
  });

  it('a hung Redis (SIGSTOP) costs a command timeout, not the query', async () => {
    const fast = await stackOn({ commandTimeoutMs: 30 });
    const counters = createCacheCounters();
    const observed = await stackOn({ commandTimeoutMs: 30 }, { cacheObserver: counters.observer });
    try {
      await dashboard(fast);
      redis.pause();
      try {
        sandbox.reset();
        await dashboard(observed);
        expect(leen().stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
      } finally {
        redis.resume();
      }
      expect(counters.counters.faults).toBeGreaterThan(0);
    } finally {
      await Promise.all([fast.close(), observed.close()]);
    }
  });
});

describe('Redis down when the gateway starts', () => {
  it('serves every query from upstream and logs the condition once per interval', async () => {
    const sandbox = await startSandbox({ leen: { seed: DASHBOARD_SEED } });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const counters = createCacheCounters();
    // Nothing listens on port 1.
    const stack = await startStack({
      sharedSandbox: sandbox,
      config: { tenants: [tenantOn(sandbox)], cache: { redisUrl: 'redis://127.0.0.1:1' } },
      start: { logger: createLogger('info', sink), cacheObserver: counters.observer },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const { body } = await stack.gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey: API_KEY });
        expect(body.errors).toBeUndefined();
        expect(body.data!.organizations).toHaveLength(25);
      }
      expect(sandbox.get('LEEN').stats().byRoute).toEqual({ [LIST_ROUTE]: 75, [GET_ROUTE]: 75 });
      expect(counters.counters.faults).toBeGreaterThanOrEqual(3);
      const warnings = lines.filter((l) => l.includes('Redis cache unavailable'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, component: 'cache', reason: 'unavailable' });
    } finally {
      await stack.close();
      await sandbox.close();
    }
  });
});

describe('an instance that loses Redis during a mutation', () => {
  it('keeps the invalidation pending and records it once Redis answers again, before its next lookup', async () => {
    const [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ leen: { seed: DASHBOARD_SEED } })]);
    // Instance a reaches Redis through a proxy the test can cut; instance b directly.
    const link = await startTcpLink(redis.port);
    const on = (url: string, start = {}) =>
      startStack({
        sharedSandbox: sandbox,
        config: { tenants: [tenantOn(sandbox)], cache: { redisUrl: url, commandTimeoutMs: 500 } },
        start,
      });
    const counters = createCacheCounters();
    const a = await on(link.url, { cacheObserver: counters.observer });
    const b = await on(redis.url);
    const org = DASHBOARD_SEED[9]!;
    const read = async (stack: TestStack) => {
      const { body } = await stack.gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey: API_KEY });
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    try {
      await eventually('b to cache the dashboard', async () => {
        await read(b);
        sandbox.reset();
        await read(b);
        return sandbox.get('LEEN').stats().total === 0;
      });
      await link.cut();
      const { body } = await a.gql(
        DELETE_CONNECTION,
        { input: { connectionId: connectionGid(org, 1) } },
        { apiKey: API_KEY },
      );
      expect(body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
      expect(counters.counters.deferredInvalidations).toBe(1);
      // The limit of a cache nobody can reach: until a records its invalidation, b still serves its cached list.
      expect(listedConnections(await read(b), org)).toHaveLength(2);

      await link.restore();
      await eventually('a to reconnect and record the invalidation', async () => {
        await read(a);
        return listedConnections(await read(b), org)?.length === 1;
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await link.close();
      await Promise.all([sandbox.close(), redis.close()]);
    }
  });
});

/** A TCP pass-through to a local port that the test can cut (every connection reset, nothing accepted) and restore. */
async function startTcpLink(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: NetServer | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createNetServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server?.close(() => resolve());
    });
  await listen();
  return { url: `redis://127.0.0.1:${port}`, cut: stop, restore: listen, close: stop };
}
