import type { CacheStore } from './cache-store.js';
import { idempotencyRecordKey } from './keys.js';

/** Idempotency records in the cache store: the domain's IdempotencyStore port (src/domain/idempotency.ts). */
export function createIdempotencyStore(cache: CacheStore) {
  return {
    recordKey: (tenantId: string, key: string) => idempotencyRecordKey({ tenantId, key }),
    claim: (recordKey: string, value: string, ttlSeconds: number) => cache.claim({ key: recordKey, value, ttlSeconds }),
    read: (recordKey: string) => cache.readStrict(recordKey),
    write: (recordKey: string, value: string, ttlSeconds: number) =>
      cache.setMany([{ key: recordKey, value, ttlSeconds }]),
    drop: (recordKey: string) => cache.deleteMany([recordKey]),
  };
}
