import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore } from './cache-store.js';

/**
 * The default cache: in-process, bounded by entry count, per-entry TTL. Not shared between instances.
 * `now` (milliseconds) replaces the clock entries expire by, so tests can let time pass without waiting.
 */
export function createMemoryCache({
  maxEntries = 10_000,
  now,
}: { maxEntries?: number; now?: () => number } = {}): CacheStore {
  const lru = new LRUCache<string, string>({ max: maxEntries, ...(now && { perf: { now }, ttlResolution: 0 }) });
  return {
    getMany: async (keys) => keys.map((key) => lru.get(key)),
    setMany: async (entries: readonly CacheEntry[]) => {
      for (const { key, value, ttlSeconds } of entries) lru.set(key, value, { ttl: ttlSeconds * 1000 });
      return true;
    },
    deleteMany: async (keys) => {
      for (const key of keys) lru.delete(key);
      return true;
    },
    setIfAbsent: async ({ key, value, ttlSeconds }) => {
      if (lru.has(key)) return false;
      lru.set(key, value, { ttl: ttlSeconds * 1000 });
      return true;
    },
    claim: async ({ key, value, ttlSeconds }) => {
      if (lru.has(key)) return 'taken';
      lru.set(key, value, { ttl: ttlSeconds * 1000 });
      return 'claimed';
    },
    readStrict: async (key) => ({ value: lru.get(key) }),
    clear: async () => lru.clear(),
    close: async () => lru.clear(),
  };
}
