/**
 * The shared cache behind upstream reads, whole responses, idempotency records
 * and persisted queries. Two implementations: an in-memory LRU (the default) and
 * Redis. Implementations never throw: a cache fault is a miss, logged and
 * counted by the implementation, because Redis trouble must never fail a query.
 */
export interface CacheEntry {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}

export interface CacheStore {
  /** True when nothing set is ever kept (`cache.enabled: false`): callers need not build entries to store. */
  readonly discards?: boolean;
  /** One round trip for all keys; `undefined` for a miss (or a fault). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** One round trip for all entries; every entry has a TTL. Resolves false when a fault kept them from being stored. */
  setMany(entries: readonly CacheEntry[]): Promise<boolean>;
  /** Resolves false when a fault kept the keys from being deleted. */
  deleteMany(keys: readonly string[]): Promise<boolean>;
  /**
   * Sets the key only when absent (Redis SET NX EX); true when this call set it.
   * The building block of locks (idempotency: concurrent duplicates make one vendor call).
   * On a cache fault it resolves true: the caller proceeds as if it held the lock.
   */
  setIfAbsent(entry: CacheEntry): Promise<boolean>;
  /**
   * setIfAbsent for callers that must fail closed (idempotency records): a
   * fault is 'unavailable', never mistaken for a claim.
   */
  claim(entry: CacheEntry): Promise<'claimed' | 'taken' | 'unavailable'>;
  /** One key, telling a miss (`{ value: undefined }`) from a fault ('unavailable'). */
  readStrict(key: string): Promise<{ readonly value: string | undefined } | 'unavailable'>;
  /** Drops every Junction entry (operators' cache reset, and a clean slate between tests); Redis uses SCAN, never KEYS. */
  clear(): Promise<void>;
  close(): Promise<void>;
}
