import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheEntry, CacheStore } from '../../src/cache/cache-store.js';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/** Idempotent mutations over HTTP: replays, reuse with another input, concurrent duplicates, failures, two instances. */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const connId = (org: string, conn: string) => globalId(['Connection', 'LEEN', org, conn]);
const TARGET = connId(ACME.id, ACME.connections[0]!.id);
const OTHER = connId(ACME.id, ACME.connections[1]!.id);
const DELETE = `mutation ($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) {
    dryRun
    connection { id externalId status vendorStatus updatedAt }
    organization { id displayName }
    userErrors { code field message }
  }
}`;
const DELETE_ROUTE = 'DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}';

/** Records what the gateway writes to its cache store (an observer of the interface; the memory store does the work). */
function observedCache(): CacheStore & { writes: CacheEntry[] } {
  const memory = createMemoryCache();
  const writes: CacheEntry[] = [];
  return {
    ...memory,
    writes,
    setMany: async (entries) => {
      writes.push(...entries);
      return memory.setMany(entries);
    },
    setIfAbsent: async (entry) => {
      writes.push(entry);
      return memory.setIfAbsent(entry);
    },
    claim: async (entry) => {
      writes.push(entry);
      return memory.claim(entry);
    },
  };
}

describe('idempotent mutations', () => {
  let stack: TestStack;
  const cache = observedCache();
  beforeAll(async () => {
    // Two mutation fields in one request (the header-key case) need the destructive-field limit raised from 1.
    stack = await startStack({ start: { cache }, config: { limits: { maxDestructiveFields: 2 } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const deletes = () => stack.sandbox.get('LEEN').stats().byRoute[DELETE_ROUTE] ?? 0;

  it('a retry with the same key and input returns the first result without calling the vendor', async () => {
    const input = { connectionId: TARGET, idempotencyKey: `k-${randomUUID()}` };
    const first = await stack.gql(DELETE, { input });
    expect(first.body.data).toMatchObject({
      deleteConnection: { dryRun: false, connection: { id: TARGET, status: 'DISCONNECTED' }, userErrors: [] },
    });
    const calls = stack.sandbox.totalRequests();
    expect(deletes()).toBe(1);
    const retry = await stack.gql(DELETE, { input });
    expect(retry.body).toEqual(first.body); // the first result, updatedAt included
    expect(stack.sandbox.totalRequests()).toBe(calls);
  });

  it("keeps the first result for 24 hours, in the tenant's namespace of the cache store", async () => {
    await stack.gql(DELETE, { input: { connectionId: TARGET, idempotencyKey: 'ttl-check' } });
    const record = cache.writes.filter((w) => w.key.includes(':idem:')).at(-1)!;
    expect(record.ttlSeconds).toBe(86_400);
    expect(record.key.startsWith('junction:{acme}:')).toBe(true);
    expect(record.key).not.toContain('ttl-check'); // the client's key is hashed
  });

  it('accepts the key as an Idempotency-Key header', async () => {
    const headers = { 'idempotency-key': `h-${randomUUID()}` };
    const first = await stack.gql(DELETE, { input: { connectionId: TARGET } }, { headers });
    const retry = await stack.gql(DELETE, { input: { connectionId: TARGET } }, { headers });
    expect(retry.body).toEqual(first.body);
    expect(deletes()).toBe(1);
  });

  it('with a header, each mutation field of a request has its own record, and the whole request replays', async () => {
    const TWO = `mutation ($a: DeleteConnectionInput!, $b: DeleteConnectionInput!) {
      a: deleteConnection(input: $a) { connection { id } userErrors { code } }
      b: deleteConnection(input: $b) { connection { id } userErrors { code } }
    }`;
    const headers = { 'idempotency-key': `pair-${randomUUID()}` };
    const variables = { a: { connectionId: TARGET }, b: { connectionId: OTHER } };
    const first = await stack.gql(TWO, variables, { headers });
    expect(first.body.data).toEqual({
      a: { connection: { id: TARGET }, userErrors: [] },
      b: { connection: { id: OTHER }, userErrors: [] },
    });
    const retry = await stack.gql(TWO, variables, { headers });
    expect(retry.body).toEqual(first.body);
    expect(deletes()).toBe(2);
  });

  it('the argument wins over the header', async () => {
    const key = `arg-${randomUUID()}`;
    await stack.gql(
      DELETE,
      { input: { connectionId: TARGET, idempotencyKey: key } },
      { headers: { 'idempotency-key': 'h1' } },
    );
    const retry = await stack.gql(
      DELETE,
      { input: { connectionId: TARGET, idempotencyKey: key } },
      { headers: { 'idempotency-key': 'h2' } },
    );
    expect(retry.body.data).toMatchObject({ deleteConnection: { userErrors: [] } });
    expect(deletes()).toBe(1);
  });

  it('the same key with a different input is the userError IDEMPOTENCY_KEY_REUSED, and nothing is called', async () => {
    const key = `reuse-${randomUUID()}`;
    await stack.gql(DELETE, { input: { connectionId: TARGET, idempotencyKey: key } });
    const calls = stack.sandbox.totalRequests();
    for (const input of [
      { connectionId: OTHER, idempotencyKey: key },
      { connectionId: TARGET, idempotencyKey: key, dryRun: true },
    ]) {
      const { body } = await stack.gql(DELETE, { input });
      expect(body.data).toEqual({
        deleteConnection: {
          dryRun: input.dryRun ?? false,
          connection: null,
          organization: null,
          userErrors: [
            { code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: expect.any(String) },
          ],
        },
      });
    }
    // Another mutation with the same key is another input too.
    const sharing = await stack.gql(
      `mutation ($input: UpdateSharingInput!) { updateSharing(input: $input) { userErrors { code } } }`,
      { input: { connectionId: TARGET, teamKeys: [], idempotencyKey: key } },
    );
    expect(sharing.body.data).toEqual({ updateSharing: { userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED' }] } });
    expect(stack.sandbox.totalRequests()).toBe(calls);
  });

  it('concurrent duplicates make one vendor call and all get the same result', async () => {
    stack.sandbox.get('LEEN').addFault({ method: 'DELETE', latencyMs: 300 });
    const input = { connectionId: TARGET, idempotencyKey: `race-${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => stack.gql(DELETE, { input })));
    expect(deletes()).toBe(1);
    expect(results[0]!.body.data).toMatchObject({ deleteConnection: { userErrors: [], connection: { id: TARGET } } });
    for (const result of results) expect(result.body).toEqual(results[0]!.body);
  });

  it('a failed call is not kept: a retry with the same key runs again', async () => {
    stack.sandbox.get('LEEN').addFault({ method: 'DELETE', status: 503, times: 1 });
    const input = { connectionId: TARGET, idempotencyKey: `fail-${randomUUID()}` };
    const failed = await stack.gql(DELETE, { input });
    expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', vendor: 'LEEN' });
    const retry = await stack.gql(DELETE, { input });
    expect(retry.body.data).toMatchObject({
      deleteConnection: { userErrors: [], connection: { status: 'DISCONNECTED' } },
    });
    expect(deletes()).toBe(2);
  });

  it('a dry run is replayed like any result', async () => {
    const input = { connectionId: TARGET, dryRun: true, idempotencyKey: `dry-${randomUUID()}` };
    const first = await stack.gql(DELETE, { input });
    expect(first.body.data).toMatchObject({ deleteConnection: { dryRun: true, userErrors: [] } });
    const calls = stack.sandbox.totalRequests();
    expect((await stack.gql(DELETE, { input })).body).toEqual(first.body);
    expect(stack.sandbox.totalRequests()).toBe(calls);
    expect(deletes()).toBe(0);
  });

  it.each([
    ['an empty argument', { idempotencyKey: '' }, {}],
    ['an argument with spaces', { idempotencyKey: 'two words' }, {}],
    ['a 256-character argument', { idempotencyKey: 'k'.repeat(256) }, {}],
    ['a header with a control character', {}, { 'idempotency-key': 'bad\tkey' }],
  ])('%s is BAD_USER_INPUT before any vendor call', async (_label, extra, headers) => {
    const { body } = await stack.gql(DELETE, { input: { connectionId: TARGET, ...extra } }, { headers });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});

describe('idempotency across two gateway instances sharing one cache store', () => {
  let one: TestStack;
  let two: TestStack;
  const cache = createMemoryCache();
  beforeAll(async () => {
    one = await startStack({ start: { cache } });
    two = await startStack({ sharedSandbox: one.sandbox, start: { cache } });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });

  it('a duplicate sent to the other instance, while the first is still running, waits for its result', async () => {
    await one.reset();
    one.sandbox.get('LEEN').addFault({ method: 'DELETE', latencyMs: 400 });
    const input = { connectionId: connId(GLOBEX.id, GLOBEX.connections[0]!.id), idempotencyKey: `x-${randomUUID()}` };
    const [a, b, c] = await Promise.all([
      one.gql(DELETE, { input }),
      two.gql(DELETE, { input }),
      two.gql(DELETE, { input }),
    ]);
    expect(one.sandbox.get('LEEN').stats().byRoute[DELETE_ROUTE]).toBe(1);
    expect(a.body.data).toMatchObject({ deleteConnection: { userErrors: [], connection: { status: 'DISCONNECTED' } } });
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
  });
});

describe('a duplicate the other instance cannot wait out', () => {
  let one: TestStack;
  let impatient: TestStack;
  const cache = createMemoryCache();
  beforeAll(async () => {
    one = await startStack({ start: { cache } });
    // Gives up on a duplicate still running elsewhere almost at once.
    impatient = await startStack({
      sharedSandbox: one.sandbox,
      start: { cache },
      config: { idempotency: { waitMs: 1 } },
    });
  });
  afterAll(async () => {
    await impatient.close();
    await one.close();
  });

  it('is IDEMPOTENCY_IN_PROGRESS with a retryAfter, calls nothing, and a later retry gets the first result', async () => {
    await one.reset();
    const leen = one.sandbox.get('LEEN');
    leen.addFault({ method: 'DELETE', latencyMs: 1_500 });
    const input = { connectionId: connId(ACME.id, ACME.connections[0]!.id), idempotencyKey: `p-${randomUUID()}` };
    const first = one.gql(DELETE, { input });
    // The first call holds the key once its DELETE has reached the vendor.
    await vi.waitFor(() => expect(leen.stats().byRoute[DELETE_ROUTE]).toBe(1), { timeout: 10_000, interval: 10 });
    const duplicate = await impatient.gql(DELETE, { input });
    expect(duplicate.body.data).toBeNull();
    expect(duplicate.body.errors).toEqual([
      expect.objectContaining({
        path: ['deleteConnection'],
        extensions: expect.objectContaining({ code: 'IDEMPOTENCY_IN_PROGRESS', retryAfter: 1 }),
      }),
    ]);
    expect(leen.stats().byRoute[DELETE_ROUTE]).toBe(1);
    const done = await first;
    expect(done.body.data).toMatchObject({
      deleteConnection: { userErrors: [], connection: { status: 'DISCONNECTED' } },
    });
    const retry = await impatient.gql(DELETE, { input });
    expect(retry.body).toEqual(done.body);
    expect(leen.stats().byRoute[DELETE_ROUTE]).toBe(1);
  });
});

describe('idempotency with Redis as the cache store', () => {
  let redis: RunningRedis;
  let one: TestStack;
  let two: TestStack;
  beforeAll(async () => {
    redis = await startRedis();
    // A generous command timeout: a slow command fails closed (IDEMPOTENCY_UNAVAILABLE), by the store's contract, which a loaded
    // machine must not turn into a failure of this test about sharing the record.
    const cache = { redisUrl: redis.url, commandTimeoutMs: 5_000 };
    one = await startStack({ config: { cache } });
    two = await startStack({ sharedSandbox: one.sandbox, config: { cache } });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await redis.close();
  });

  it('two instances share the record: concurrent duplicates make one call, the record lives 24 hours', async () => {
    // Warm connections first.
    await Promise.all([one, two].map((s) => s.gql('{ organizations { id } }')));
    one.sandbox.reset();
    one.sandbox.get('LEEN').addFault({ method: 'DELETE', latencyMs: 300 });
    const input = { connectionId: connId(GLOBEX.id, GLOBEX.connections[1]!.id), idempotencyKey: `r-${randomUUID()}` };
    const results = await Promise.all([one, two, one, two].map((s) => s.gql(DELETE, { input })));
    expect(one.sandbox.get('LEEN').stats().byRoute[DELETE_ROUTE]).toBe(1);
    expect(results[0]!.body.data).toMatchObject({
      deleteConnection: { userErrors: [], connection: { status: 'DISCONNECTED' } },
    });
    for (const result of results) expect(result.body).toEqual(results[0]!.body);
    const client = new Redis(redis.url);
    try {
      const [, keys] = await client.scan('0', 'MATCH', 'junction:{acme}:v1:idem:*', 'COUNT', 1000);
      expect(keys).toHaveLength(1);
      const ttl = await client.ttl(keys[0]!);
      expect(ttl).toBeGreaterThan(86_000);
      expect(ttl).toBeLessThanOrEqual(86_400);
    } finally {
      client.disconnect();
    }
  });
});
