import { describe, expect, it } from 'vitest';
import type { CacheEntry, CacheStore } from '../../src/cache/cache-store.js';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import type { Vendor } from '../../src/domain/models.js';
import { createReadGenerations, type ReadGenerations } from '../../src/loaders/read-generations.js';
import { createLogger } from '../../src/observability/logger.js';
import { ReadLedger } from '../../src/request/read-ledger.js';
import {
  createResponseCache,
  type CachedResponse,
  type CacheHit,
  type CacheableRequest,
} from '../../src/server/response-cache.js';
import { manualClock } from '../helpers/clock.js';

/**
 * Which answers the response cache may key, store and serve, in-process on the
 * in-memory store: only query documents (or persisted hashes), keyed apart by
 * everything an answer depends on; only complete, cacheable, small answers,
 * for no longer than their first read lives; never once a vendor they read
 * from has been written to, is no longer configured, or has a write pending.
 */

const REQUEST: CacheableRequest = {
  tenantId: 'acme',
  tenantConfig: { id: 'acme', vendors: { leen: { organizations: ['o1'] } } },
  credentialScope: '',
  accept: 'application/json',
  body: { query: '{ organizations { id } }', variables: { first: 1 } },
};
const ANSWER: CachedResponse = {
  status: 200,
  headers: [['content-type', 'application/json']],
  body: '{"data":{"organizations":[]}}',
  operationName: null,
};
/** The same answer as a lookup serves it: its body as bytes, its headers and length as writeHead's object. */
const SERVED: CacheHit = {
  ...ANSWER,
  body: Buffer.from(ANSWER.body),
  headerFields: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(ANSWER.body)) },
};

function setup(options: { store?: CacheStore; deployment?: string } = {}) {
  const clock = manualClock();
  const store = options.store ?? createMemoryCache({ now: clock.now });
  const generations = createReadGenerations(store);
  const cache = createResponseCache({
    cache: store,
    generations,
    logger: createLogger('silent'),
    deployment: options.deployment ?? 'schema-1',
    now: clock.now,
  });
  return { clock, store, generations, cache };
}

/** A ledger of reads made now at `vendors`, under their current generations, expiring after `ttlMs`. */
async function ledgerOf(generations: ReadGenerations, now: number, vendors: readonly Vendor[], ttlMs = 60_000) {
  const { generations: current } = await generations.lookup('acme', vendors, []);
  const ledger = new ReadLedger();
  for (const [vendor, generation] of current) {
    await generations.claim(generation);
    ledger.record(vendor, generation.token, now + ttlMs);
  }
  return ledger;
}

describe('response cache keys', () => {
  const { cache } = setup();
  const keyOf = (change: Partial<CacheableRequest>) => cache.keyOf({ ...REQUEST, ...change });

  it('keys a query, the same for the same request', () => {
    expect(keyOf({})).toEqual(expect.any(String));
    expect(keyOf({})).toBe(keyOf({ tenantConfig: structuredClone(REQUEST.tenantConfig) }));
  });

  it.each([
    ['a mutation', { query: 'mutation { deleteConnection(input: {}) { dryRun } }' }],
    ['a document holding a mutation among queries', { query: 'query A { a } mutation B { b }' }],
    ['a body with neither a query nor a persisted hash', { variables: {} }],
    ['a persisted query without its hash', { extensions: { persistedQuery: { version: 1 } } }],
  ])('keys no %s', (_label, body) => {
    expect(keyOf({ body })).toBeUndefined();
  });

  it.each([null, 'text', [REQUEST.body]])('keys no body that is not one JSON object (%j)', (body) => {
    expect(keyOf({ body })).toBeUndefined();
  });

  it('keys a persisted query by its hash, and a field merely named like a mutation', () => {
    expect(keyOf({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } } })).toEqual(
      expect.any(String),
    );
    expect(keyOf({ body: { query: '{ mutations { id } }' } })).toEqual(expect.any(String));
  });

  it('keys apart what an answer depends on: tenant, configuration, caller, Accept, document, variables, deployment', () => {
    const keys = [
      keyOf({}),
      keyOf({ tenantId: 'globex' }),
      keyOf({ tenantConfig: { ...REQUEST.tenantConfig, vendors: {} } }),
      keyOf({ credentialScope: 'user-token-digest' }),
      keyOf({ accept: 'application/graphql-response+json' }),
      keyOf({ body: { query: '{ organizations { id displayName } }', variables: { first: 1 } } }),
      keyOf({ body: { query: '{ organizations { id } }', variables: { first: 2 } } }),
      keyOf({ body: { ...(REQUEST.body as object), operationName: 'Other' } }),
      setup({ deployment: 'schema-2' }).cache.keyOf(REQUEST),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keys a request given with its body text as without it, and still apart by everything else', () => {
    const text = JSON.stringify(REQUEST.body);
    const mutation = '{"query":"mutation { deleteConnection(input: {}) { dryRun } }"}';
    for (let round = 0; round < 2; round++) {
      expect(keyOf({ bodyText: text })).toBe(setup().cache.keyOf(REQUEST));
      expect(keyOf({ bodyText: text, tenantId: 'globex' })).toBe(keyOf({ tenantId: 'globex' }));
      expect(keyOf({ bodyText: text, credentialScope: 'user-token-digest' })).toBe(
        keyOf({ credentialScope: 'user-token-digest' }),
      );
      expect(keyOf({ bodyText: text, accept: 'application/graphql-response+json' })).toBe(
        keyOf({ accept: 'application/graphql-response+json' }),
      );
      expect(keyOf({ bodyText: text, tenantConfig: { ...REQUEST.tenantConfig, vendors: {} } })).toBe(
        keyOf({ tenantConfig: { ...REQUEST.tenantConfig, vendors: {} } }),
      );
      expect(keyOf({ bodyText: mutation, body: JSON.parse(mutation) as unknown })).toBeUndefined();
    }
  });
});

describe('response cache storing and serving', () => {
  it('serves a stored answer until its first read expires', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const ledger = await ledgerOf(generations, clock.now(), ['LEEN', 'OUTLIT'], 30_000);
    expect(await cache.store(key, ANSWER, ledger)).toBe(true);
    expect(await cache.lookup(key, 'acme', ['LEEN', 'OUTLIT'])).toEqual(SERVED);
    clock.advance(30_000);
    expect(await cache.lookup(key, 'acme', ['LEEN', 'OUTLIT'])).toEqual(SERVED);
    clock.advance(1);
    expect(await cache.lookup(key, 'acme', ['LEEN', 'OUTLIT'])).toBeUndefined();
  });

  it('stores for whole seconds of the shortest read, and not at all under one second', async () => {
    const writes: CacheEntry[] = [];
    const memory = createMemoryCache();
    const recording: CacheStore = {
      ...memory,
      setMany: async (entries) => (writes.push(...entries), memory.setMany(entries)),
    };
    const { clock, generations, cache } = setup({ store: recording });
    const key = cache.keyOf(REQUEST)!;
    const ledger = await ledgerOf(generations, clock.now(), ['LEEN'], 60_000);
    ledger.record('OUTLIT', 'g1', clock.now() + 2_999);
    expect(await cache.store(key, ANSWER, ledger)).toBe(true);
    expect(writes.at(-1)).toMatchObject({ key, ttlSeconds: 2 });
    clock.advance(2_000);
    expect(await cache.store(key, ANSWER, ledger)).toBe(false);
  });

  it('stores no answer that made no read, read something uncacheable, or is too large', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    expect(await cache.store(key, ANSWER, new ReadLedger())).toBe(false);
    const spoiled = await ledgerOf(generations, clock.now(), ['LEEN']);
    spoiled.spoil();
    expect(await cache.store(key, ANSWER, spoiled)).toBe(false);
    const twoGenerations = await ledgerOf(generations, clock.now(), ['LEEN']);
    twoGenerations.record('LEEN', 'another-generation', clock.now() + 60_000);
    expect(await cache.store(key, ANSWER, twoGenerations)).toBe(false);
    const large = { ...ANSWER, body: `"${'x'.repeat(256 * 1024)}"` };
    expect(await cache.store(key, large, await ledgerOf(generations, clock.now(), ['LEEN']))).toBe(false);
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toBeUndefined();
  });

  it('serves nothing once a vendor it read from was written to, and only that vendor matters', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    await cache.store(key, ANSWER, await ledgerOf(generations, clock.now(), ['LEEN']));
    await generations.invalidate('acme', 'OUTLIT');
    expect(await cache.lookup(key, 'acme', ['LEEN', 'OUTLIT'])).toEqual(SERVED);
    await generations.invalidate('acme', 'LEEN');
    expect(await cache.lookup(key, 'acme', ['LEEN', 'OUTLIT'])).toBeUndefined();
  });

  it('serves nothing built from a vendor the tenant no longer configures', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    await cache.store(key, ANSWER, await ledgerOf(generations, clock.now(), ['LEEN']));
    expect(await cache.lookup(key, 'acme', ['OUTLIT'])).toBeUndefined();
  });

  it('serves nothing while a write this instance could not record is pending, and again once it is recorded', async () => {
    const memory = createMemoryCache();
    let storeDown = false;
    const flaky: CacheStore = { ...memory, setMany: async (entries) => !storeDown && memory.setMany(entries) };
    const { clock, generations, cache } = setup({ store: flaky });
    const key = cache.keyOf(REQUEST)!;
    await cache.store(key, ANSWER, await ledgerOf(generations, clock.now(), ['LEEN']));
    storeDown = true;
    await generations.invalidate('acme', 'LEEN'); // not recorded: the old generation is still stored
    storeDown = false;
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toBeUndefined();
    await generations.recordPending();
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toBeUndefined(); // now a new generation: still stale
    await cache.store(key, ANSWER, await ledgerOf(generations, clock.now(), ['LEEN']));
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toEqual(SERVED);
  });

  it('treats an unreadable record as a miss', async () => {
    const { store, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    await store.setMany([{ key, value: 'not json\n{}', ttlSeconds: 60 }]);
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toBeUndefined();
    await store.setMany([{ key, value: '{"format":1,"generations":{}}\n{}', ttlSeconds: 60 }]);
    expect(await cache.lookup(key, 'acme', ['LEEN'])).toBeUndefined();
  });
});

describe('identical requests that miss together', () => {
  const VENDORS: Vendor[] = ['LEEN'];
  const leadOf = async (cache: ReturnType<typeof setup>['cache'], key: string) => {
    const first = await cache.answerOrShare(key, 'acme', VENDORS);
    if (!('leads' in first) || !first.leads)
      throw new Error(`the first miss should lead, got ${JSON.stringify(first)}`);
    return first.leads;
  };
  const sharedOf = async (cache: ReturnType<typeof setup>['cache'], key: string) => {
    const next = await cache.answerOrShare(key, 'acme', VENDORS);
    if (!('shared' in next)) throw new Error(`a miss while one runs should wait for it, got ${JSON.stringify(next)}`);
    // Wrapped: an async function returning the promise itself would wait for it.
    return { answer: next.shared };
  };

  it('the first runs the operation; the others take its answer as a hit would serve it', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    // The reads' generation is stored before the others look: theirs is the one the answer was read under.
    const reads = await ledgerOf(generations, clock.now(), VENDORS);
    const flight = await leadOf(cache, key);
    const waiting = [await sharedOf(cache, key), await sharedOf(cache, key)];
    flight.land(ANSWER, reads);
    expect(await Promise.all(waiting.map((w) => w.answer))).toEqual([SERVED, SERVED]);
    // Landed: the next miss of the key leads a flight of its own (nothing was stored here).
    expect(await cache.answerOrShare(key, 'acme', VENDORS)).toEqual({ leads: expect.any(Object) });
  });

  it('a request that saw no stored generation (its lookup may have failed) takes no answer: it looks again', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const flight = await leadOf(cache, key);
    const madeUp = await sharedOf(cache, key);
    flight.land(ANSWER, await ledgerOf(generations, clock.now(), VENDORS));
    // Nothing was stored: looking again finds nothing either, so it runs the operation.
    expect(await madeUp.answer).toBeUndefined();
  });

  it('looking again after the run finds the answer it stored, even when the run shares none', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const flight = await leadOf(cache, key);
    const madeUp = await sharedOf(cache, key);
    expect(await cache.store(key, ANSWER, await ledgerOf(generations, clock.now(), VENDORS))).toBe(true);
    flight.land(undefined);
    expect(await madeUp.answer).toEqual(SERVED);
  });

  it('a request that came after a write does not take an answer read before it: it runs the operation', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const flight = await leadOf(cache, key);
    const readBeforeWrite = await ledgerOf(generations, clock.now(), VENDORS);
    await generations.invalidate('acme', 'LEEN');
    const afterWrite = await sharedOf(cache, key);
    flight.land(ANSWER, readBeforeWrite);
    expect(await afterWrite.answer).toBeUndefined();
  });

  it('nothing is shared that would not be stored: an answer not cacheable, expiring, or none at all', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const spoiled = await ledgerOf(generations, clock.now(), VENDORS);
    spoiled.spoil();
    const cases: [CachedResponse | undefined, ReadLedger | undefined][] = [
      [ANSWER, spoiled],
      [ANSWER, await ledgerOf(generations, clock.now(), VENDORS, 500)],
      [ANSWER, new ReadLedger()],
      [undefined, undefined],
    ];
    for (const [answer, ledger] of cases) {
      const flight = await leadOf(cache, key);
      const waiting = await sharedOf(cache, key);
      flight.land(answer, ledger);
      expect(await waiting.answer).toBeUndefined();
    }
  });

  it('only the first landing counts, and a lookup that failed neither waits nor leads', async () => {
    const { clock, generations, cache } = setup();
    const key = cache.keyOf(REQUEST)!;
    const reads = await ledgerOf(generations, clock.now(), VENDORS);
    const flight = await leadOf(cache, key);
    const waiting = await sharedOf(cache, key);
    flight.land(undefined);
    flight.land(ANSWER, reads);
    expect(await waiting.answer).toBeUndefined();

    const failing: CacheStore = {
      ...createMemoryCache({ now: clock.now }),
      getMany: () => Promise.reject(new Error('Redis is down')),
    };
    const down = setup({ store: failing }).cache;
    await leadOf(cache, key);
    expect(await down.answerOrShare(key, 'acme', VENDORS)).toEqual({ leads: undefined });
  });
});
