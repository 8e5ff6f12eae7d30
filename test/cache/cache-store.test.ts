import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheCounters } from '../../src/cache/cache-events.js';
import type { CacheStore } from '../../src/cache/cache-store.js';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { createRedisCache } from '../../src/cache/redis-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRedis, startRedisCluster, type RunningRedis, type RunningRedisCluster } from '../helpers/redis.js';
import { eventually } from './dashboard.js';

/** The CacheStore contract, for each implementation, on real servers. */

let redis: RunningRedis;
let cluster: RunningRedisCluster;
const stores: Record<string, CacheStore> = {};

beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
  const logger = createLogger('silent');
  stores.memory = createMemoryCache();
  stores.redis = createRedisCache({ url: redis.url, commandTimeoutMs: 1000, logger });
  stores.cluster = createRedisCache({ clusterNodes: cluster.nodes, commandTimeoutMs: 1000, logger });
  // ioredis connects in the background; until it is ready every command is a (counted) miss.
  for (const store of Object.values(stores))
    await eventually('the store to answer', () =>
      store.setMany([{ key: 'junction:{t}:probe', value: '1', ttlSeconds: 5 }]),
    );
});
afterAll(async () => {
  await Promise.all(Object.values(stores).map((s) => s.close()));
  await Promise.all([redis?.close(), cluster?.close()]);
});

describe.each(['memory', 'redis', 'cluster'])('%s cache store', (name) => {
  const store = () => stores[name]!;

  it('gets many keys of several tenants (hash tags) in key order, undefined for misses', async () => {
    expect(
      await store().setMany([
        { key: 'junction:{t1}:a', value: 'A', ttlSeconds: 60 },
        { key: 'junction:{t2}:b', value: 'B', ttlSeconds: 60 },
        { key: 'junction:{t3}:c', value: 'C', ttlSeconds: 60 },
      ]),
    ).toBe(true);
    expect(
      await store().getMany(['junction:{t3}:c', 'junction:{t1}:missing', 'junction:{t1}:a', 'junction:{t2}:b']),
    ).toEqual(['C', undefined, 'A', 'B']);
  });

  it('sets only when absent', async () => {
    const entry = { key: `junction:{t1}:lock-${name}`, value: 'first', ttlSeconds: 60 };
    expect(await store().setIfAbsent(entry)).toBe(true);
    expect(await store().setIfAbsent({ ...entry, value: 'second' })).toBe(false);
    expect(await store().getMany([entry.key])).toEqual(['first']);
  });

  it('deletes keys, and clear() drops every Junction key', async () => {
    await store().setMany([
      { key: 'junction:{t1}:d1', value: '1', ttlSeconds: 60 },
      { key: 'junction:{t2}:d2', value: '2', ttlSeconds: 60 },
    ]);
    expect(await store().deleteMany(['junction:{t1}:d1'])).toBe(true);
    expect(await store().getMany(['junction:{t1}:d1', 'junction:{t2}:d2'])).toEqual([undefined, '2']);
    await store().clear();
    expect(await store().getMany(['junction:{t2}:d2', 'junction:{t1}:a'])).toEqual([undefined, undefined]);
  });
});

describe('Redis specifics', () => {
  it('stores every entry with its TTL (SET EX)', async () => {
    await stores.redis!.setMany([{ key: 'junction:{t1}:ttl', value: 'x', ttlSeconds: 42 }]);
    const ttl = Number(await redisCommand('TTL', 'junction:{t1}:ttl'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(42);
  });

  it("clear() leaves other applications' keys alone", async () => {
    await redisCommand('SET', 'someone-else:key', 'keep');
    await stores.redis!.setMany([{ key: 'junction:{t1}:gone', value: 'x', ttlSeconds: 60 }]);
    await stores.redis!.clear();
    expect(await redisCommand('GET', 'someone-else:key')).toBe('keep');
    expect(await stores.redis!.getMany(['junction:{t1}:gone'])).toEqual([undefined]);
  });
});

describe('Redis command deadline', () => {
  /** Keeps the event loop busy (a loaded gateway) for `ms`, without yielding. */
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  /** A store with a 20 ms deadline that holds `key`, and its fault count so far. */
  const storeHolding = async (key: string) => {
    const counters = createCacheCounters();
    const store = createRedisCache({
      url: redis.url,
      commandTimeoutMs: 20,
      logger: createLogger('silent'),
      observer: counters.observer,
    });
    await eventually('the store to answer', () => store.setMany([{ key, value: 'kept', ttlSeconds: 60 }]));
    return { store, faults: () => counters.counters.faults };
  };

  it('an answer Redis sent in time counts even when the gateway reads it after the deadline', async () => {
    const { store, faults } = await storeHolding('junction:{t1}:late');
    try {
      const before = faults();
      for (let i = 0; i < 3; i++) {
        const read = store.getMany(['junction:{t1}:late']);
        // The answer arrives within a millisecond, but the loop only looks again after five deadlines.
        busy(100);
        expect(await read).toEqual(['kept']);
      }
      expect(faults()).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('an answer Redis sends while the gateway is busy past the deadline counts: the stall is given back', async () => {
    const { store, faults } = await storeHolding('junction:{t1}:behind');
    try {
      const before = faults();
      // Redis answers only after the loop, busy past the deadline, has come round to its timer (as a reply
      // queued behind replies the loop has not read does): the answer is not there when the deadline fires.
      redis.pause();
      const read = store.getMany(['junction:{t1}:behind']);
      setTimeout(() => setImmediate(() => redis.resume()), 20);
      busy(150);
      expect(await read).toEqual(['kept']);
      expect(faults()).toBe(before);
    } finally {
      redis.resume();
      await store.close();
    }
  });

  it('a server that does not answer still costs one deadline, counted as a timeout', async () => {
    const faults: string[] = [];
    const store = createRedisCache({
      url: redis.url,
      commandTimeoutMs: 20,
      logger: createLogger('silent'),
      observer: { onFault: (event) => faults.push(event.reason) },
    });
    try {
      await eventually('the store to answer', () =>
        store.setMany([{ key: 'junction:{t1}:hung', value: 'x', ttlSeconds: 60 }]),
      );
      faults.length = 0;
      redis.pause();
      try {
        expect(await store.getMany(['junction:{t1}:hung'])).toEqual([undefined]);
      } finally {
        redis.resume();
      }
      expect(faults).toEqual(['timeout']);
    } finally {
      await store.close();
    }
  });
});

async function redisCommand(...args: string[]): Promise<unknown> {
  const client = new Redis(redis.url);
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}
