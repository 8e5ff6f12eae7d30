import type { CacheStore } from './cache-store.js';
import { idempotencyRecordKey } from './keys.js';

/** Idempotency records in the cache store: the domain's IdempotencyStore port (src/domain/idempotency.ts). */
export function createIdempotencyStore(cache: CacheStore) {
  return {
    recordKey: (tenantId: string, key: string) => idempotencyRecordKey({ tenantId, key }),
    claim: (recordKey: string, value: string, ttlSeconds: number) =>
      cache.setIfAbsent({ key: recordKey, value, ttlSeconds }),
    read: async (recordKey: string) => (await cache.getMany([recordKey]))[0],
    write: async (recordKey: string, value: string, ttlSeconds: number) => {
      await cache.setMany([{ key: recordKey, value, ttlSeconds }]);
    },
    drop: async (recordKey: string) => {
      await cache.deleteMany([recordKey]);
    },
  };
}
