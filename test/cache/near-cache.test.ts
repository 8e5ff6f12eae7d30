import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CacheStore } from '../../src/cache/cache-store.js';
import { readGenerationKey, responseKey, upstreamReadKey } from '../../src/cache/keys.js';
import { createRedisCache } from '../../src/cache/redis-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { eventually } from './dashboard.js';

/**
 * The near cache (src/cache/near-cache.ts) of two stores on one real redis-server, as two
 * instances would have: a repeated read costs no Redis command, and a change through
 * either store is never followed by the old value from the other's near cache.
 */

let redis: RunningRedis;
let a: CacheStore;
let b: CacheStore;
const generation = readGenerationKey('t1', 'LEEN');
const answer = responseKey('t1', ['query']);
const read = upstreamReadKey({ tenantId: 't1', vendor: 'LEEN', scope: 'org', path: '/connections' });
const NEAR = { nearCacheMaxBytes: 1024 * 1024, commandTimeoutMs: 1000, logger: createLogger('silent') };

/** Reads the keys until the store keeps them near (its subscription confirmed): a read then costs no command. */
async function warm(store: CacheStore, keys: readonly string[]): Promise<(string | undefined)[]> {
  let values: (string | undefined)[] = [];
  await eventually('the store to keep the keys near', async () => {
    values = await store.getMany(keys);
    await redis.resetStats();
    values = await store.getMany(keys);
    return Object.keys(await dataCommands()).length === 0;
  });
  return values;
}

/** Commands Redis ran since resetStats, but the test's own (INFO, CONFIG RESETSTAT). */
async function dataCommands(): Promise<Record<string, number>> {
  const calls = await redis.commandCalls();
  return Object.fromEntries(Object.entries(calls).filter(([name]) => !/^(info|config)/.test(name)));
}

beforeAll(async () => {
  redis = await startRedis();
  a = createRedisCache({ url: redis.url, ...NEAR });
  b = createRedisCache({ url: redis.url, ...NEAR });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.close();
});
beforeEach(async () => {
  await eventually('both stores to answer', async () => (await a.deleteMany([answer])) && (await b.deleteMany([read])));
  await a.clear();
});

describe('near cache, one Redis node, two instances', () => {
  it('keeps present and absent values near: a repeated read costs no Redis command', async () => {
    await a.setMany([{ key: answer, value: 'answer', ttlSeconds: 60 }]);
    expect(await warm(b, [answer, generation])).toEqual(['answer', undefined]);
    await redis.resetStats();
    for (let i = 0; i < 5; i++) expect(await b.getMany([answer, generation])).toEqual(['answer', undefined]);
    expect(await dataCommands()).toEqual({});
  });

  it('a change through one instance is never followed by the old value from the other', async () => {
    for (let round = 0; round < 50; round++) {
      const before = `g${round}`;
      await a.setMany([{ key: generation, value: before, ttlSeconds: 60 }]);
      if (round % 10 === 0) expect(await warm(b, [generation, read])).toEqual([before, undefined]);
      else expect(await b.getMany([generation, read])).toEqual([before, undefined]);
      // Each kind of change, each right after a read that kept the old value near.
      if (round % 2 === 0) await a.setMany([{ key: read, value: `r${round}`, ttlSeconds: 60 }]);
      else expect(await a.setIfAbsent({ key: read, value: `r${round}`, ttlSeconds: 60 })).toBe(true);
      expect(await b.getMany([read])).toEqual([`r${round}`]);
      await a.deleteMany([read]);
      expect(await b.getMany([read])).toEqual([undefined]);
    }
  });

  it('the instance that stored a value serves it near: the next reads cost no Redis command', async () => {
    await warm(a, [generation]);
    for (let round = 0; round < 5; round++) {
      await a.setMany([
        { key: answer, value: `answer ${round}`, ttlSeconds: 60 },
        { key: generation, value: `g${round}`, ttlSeconds: 60 },
      ]);
      await redis.resetStats();
      expect(await a.getMany([answer, generation])).toEqual([`answer ${round}`, `g${round}`]);
      expect(await dataCommands()).toEqual({});
    }
  });

  it('two instances storing the same key at once each end up serving what Redis holds', async () => {
    const admin = new Redis(redis.url);
    try {
      for (let round = 0; round < 40; round++) {
        await Promise.all([
          a.setMany([{ key: answer, value: `a${round}`, ttlSeconds: 60 }]),
          b.setMany([{ key: answer, value: `b${round}`, ttlSeconds: 60 }]),
        ]);
        const held = await admin.get(answer);
        expect([`a${round}`, `b${round}`]).toContain(held);
        expect(await a.getMany([answer])).toEqual([held]);
        expect(await b.getMany([answer])).toEqual([held]);
      }
    } finally {
      admin.disconnect();
    }
  });

  it('a store Redis refuses (memory full) is not kept: the instance serves what Redis still holds', async () => {
    await a.setMany([{ key: answer, value: 'before', ttlSeconds: 60 }]);
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', '1');
      try {
        expect(await a.setMany([{ key: answer, value: 'refused', ttlSeconds: 60 }])).toBe(false);
      } finally {
        await admin.config('SET', 'maxmemory', '0');
      }
      expect(await a.getMany([answer])).toEqual(['before']);
      expect(await admin.get(answer)).toBe('before');
    } finally {
      admin.disconnect();
    }
  });

  it('clear() through one instance empties the near cache of every instance', async () => {
    await a.setMany([{ key: answer, value: 'answer', ttlSeconds: 60 }]);
    expect(await warm(b, [answer])).toEqual(['answer']);
    await a.clear();
    expect(await b.getMany([answer])).toEqual([undefined]);
  });

  it('keeps nothing longer than Redis does', async () => {
    await a.setMany([{ key: answer, value: 'short-lived', ttlSeconds: 1 }]);
    expect(await warm(b, [answer])).toEqual(['short-lived']);
    // Redis expires it (no announcement); the near copy had its PTTL.
    const admin = new Redis(redis.url);
    try {
      await eventually('Redis to expire the key', async () => (await admin.exists(answer)) === 0);
    } finally {
      admin.disconnect();
    }
    expect(await b.getMany([answer])).toEqual([undefined]);
  });

  it('Redis restarted empty: nothing is served near, then keeping resumes once subscribed again', async () => {
    await a.setMany([{ key: answer, value: 'before the crash', ttlSeconds: 60 }]);
    expect(await warm(b, [answer])).toEqual(['before the crash']);
    await redis.kill();
    try {
      // Once b has seen the connection go, a read is a fault (a miss), never the near copy.
      await eventually('b to see Redis gone', async () => (await b.getMany([answer]))[0] === undefined);
    } finally {
      await redis.restart();
    }
    await eventually('b to reconnect', () => b.deleteMany([read]));
    // Redis came back empty, and so did b's near cache.
    expect(await b.getMany([answer])).toEqual([undefined]);
    await a.setMany([{ key: answer, value: 'after', ttlSeconds: 60 }]);
    expect(await warm(b, [answer])).toEqual(['after']);
  });

  it('keys no instance keeps near (idempotency records) are read from Redis every time', async () => {
    const record = 'junction:{t1}:v1:idem:abc';
    await a.setMany([{ key: record, value: 'first', ttlSeconds: 60 }]);
    await warm(b, [answer]);
    await redis.resetStats();
    expect(await b.getMany([record])).toEqual(['first']);
    expect((await redis.commandCalls()).mget).toBe(1);
  });
});
