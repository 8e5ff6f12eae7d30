import type { CacheStore } from './cache-store.js';

/**
 * The cache of `cache.enabled: false`: every lookup misses and nothing is kept,
 * so each read goes to the vendor (benchmarks measure the uncached path with it).
 */
export function createNoCache(): CacheStore {
  return {
    discards: true,
    getMany: async (keys) => keys.map(() => undefined),
    setMany: async () => true,
    deleteMany: async () => true,
    setIfAbsent: async () => true,
    // Nothing is kept, so nothing can be promised: a caller that must fail closed does.
    claim: async () => 'unavailable',
    readStrict: async () => 'unavailable',
    clear: async () => undefined,
    close: async () => undefined,
  };
}
