import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';
import { readGenerationKey } from '../cache/keys.js';
import type { Vendor } from '../domain/models.js';
import { randomToken } from '../observability/random-ids.js';

/**
 * Invalidation by generation. Every cached read records the generation of its
 * tenant's reads at its vendor (keys.ts, readGenerationKey); every write to a
 * vendor replaces that generation. So after a write no instance serves an older
 * read, and a read that started before the write and stores its (possibly
 * stale) body after it stores it under the old generation, where nobody reads it.
 *
 * When the cache is down or refuses writes, a write cannot replace the
 * generation: the key is kept as pending, retried in the background every
 * PENDING_RETRY_MS (and before every batch of reads) until stored, and while it
 * is pending this instance does not trust cached reads (and responses) of that
 * vendor. Other instances cannot know; they serve a cached read at most until
 * its TTL runs out, or until PENDING_RETRY_MS after the cache accepts writes again.
 */

/** One vendor's generation, as one lookup found it. */
export interface Generation {
  readonly key: string;
  readonly token: string;
  /** None was stored: this lookup made one up, which claim() stores before any read is stored under it. */
  readonly isNew: boolean;
  /** False while a write this instance could not record is pending: cached reads may predate it. */
  readonly trusted: boolean;
}

export interface ReadGenerations {
  /** A write to the vendor happened (or may have): the tenant's cached reads of it are stale from now on, on every instance. */
  invalidate(tenantId: string, vendor: Vendor): Promise<void>;
  /** Re-records the invalidations the cache missed; undefined when none are pending (the usual case: no promise made). */
  recordPending(): Promise<void> | undefined;
  /** The vendors' current generations, and the values of `keys` fetched in the same round trip (one MGET). */
  lookup(
    tenantId: string,
    vendors: readonly Vendor[],
    keys: readonly string[],
  ): Promise<{ generations: ReadonlyMap<Vendor, Generation>; values: (string | undefined)[] }>;
  /** Stores a generation a lookup made up, only if still absent; true when reads may be stored under it. */
  claim(generation: Generation): Promise<boolean>;
}

/** A generation outlives any cached read; when it expires (or is evicted) every read recorded under it is a miss. */
const GENERATION_TTL_SECONDS = 86_400;
const newGeneration = () => randomToken(9);
/** How often pending invalidations are retried while the cache refuses them. */
export const PENDING_RETRY_MS = 1_000;

/** Generation keys by tenant and vendor, built once: each request looks them up (a built string is hashed again each time). */
const generationKeys = new Map<string, Map<string, string>>();
const MAX_TENANTS_KEYED = 10_000;
function generationKeyOf(tenantId: string, vendor: Vendor): string {
  let byVendor = generationKeys.get(tenantId);
  if (!byVendor) {
    if (generationKeys.size >= MAX_TENANTS_KEYED) generationKeys.clear();
    generationKeys.set(tenantId, (byVendor = new Map()));
  }
  let key = byVendor.get(vendor);
  if (key === undefined) byVendor.set(vendor, (key = readGenerationKey(tenantId, vendor)));
  return key;
}

/** Process-wide: the pending invalidations are this instance's. */
export function createReadGenerations(cache: CacheStore, observer?: CacheObserver): ReadGenerations {
  const pending = new Set<string>();
  let retry: NodeJS.Timeout | undefined;
  const recordPending = () => (pending.size === 0 ? undefined : storePending());
  const storePending = async () => {
    const keys = [...pending];
    const applied = await cache.setMany(
      keys.map((key) => ({ key, value: newGeneration(), ttlSeconds: GENERATION_TTL_SECONDS })),
    );
    if (applied) for (const key of keys) pending.delete(key);
  };
  // Not left to the next request: another instance keeps serving the old reads until this is stored.
  const retryInBackground = () => {
    if (retry || pending.size === 0) return;
    retry = setTimeout(() => {
      void (recordPending() ?? Promise.resolve()).finally(() => {
        retry = undefined;
        retryInBackground();
      });
    }, PENDING_RETRY_MS);
    retry.unref();
  };
  return {
    async invalidate(tenantId, vendor) {
      const key = readGenerationKey(tenantId, vendor);
      const applied = await cache.setMany([{ key, value: newGeneration(), ttlSeconds: GENERATION_TTL_SECONDS }]);
      if (applied) pending.delete(key);
      else pending.add(key);
      observer?.onInvalidation?.({ vendor, applied });
      retryInBackground();
    },

    recordPending,

    // Not async: a near-kept answer settles in one hop, and nothing here can throw before the fetch.
    lookup(tenantId, vendors, keys) {
      const generationKeys = vendors.map((vendor) => generationKeyOf(tenantId, vendor));
      return cache.getMany([...generationKeys, ...keys]).then((stored) => {
        const generations = new Map<Vendor, Generation>();
        for (let i = 0; i < vendors.length; i++) {
          const key = generationKeys[i]!;
          const current = stored[i];
          generations.set(vendors[i]!, {
            key,
            token: current ?? newGeneration(),
            isNew: current === undefined,
            trusted: !pending.has(key),
          });
        }
        return { generations, values: stored.slice(generationKeys.length) };
      });
    },

    claim: (generation) =>
      generation.isNew
        ? cache.setIfAbsent({ key: generation.key, value: generation.token, ttlSeconds: GENERATION_TTL_SECONDS })
        : Promise.resolve(true),
  };
}
