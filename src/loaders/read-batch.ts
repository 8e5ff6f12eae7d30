import type { z } from 'zod';
import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';
import type { Vendor } from '../domain/models.js';
import type { ReadLedger } from '../request/read-ledger.js';
import type { Generation, ReadGenerations } from './read-generations.js';
import type { SingleFlight } from './single-flight.js';

/**
 * The DataLoader batch of one request's reads: looks every key up in the
 * shared cache in one round trip (with the generations it must match),
 * fetches the misses concurrently through the instance's single flight, and
 * stores the fresh bodies in one more round trip.
 */

export interface ReadJob {
  readonly vendor: Vendor;
  readonly schema: z.ZodType<unknown>;
  readonly ttlSeconds: number;
}

/**
 * What the loader hands back and keeps for the rest of the request: the value
 * as parsed by the schema that loaded it, so the caller that registered the
 * read does not validate the same body a second time. Not the raw body: kept
 * beside the value for every read of every request in flight, it was the
 * largest part of what a loaded gateway holds (and copies at each collection).
 */
export interface LoadedRead {
  readonly value: unknown;
  readonly schema: z.ZodType<unknown>;
}

/** A read as fetched: with the raw body, which is what the shared cache stores. */
export interface FetchedRead extends LoadedRead {
  readonly body: unknown;
}

interface ReadBatchDeps<J extends ReadJob> {
  readonly cache: CacheStore;
  readonly generations: ReadGenerations;
  readonly flights: SingleFlight;
  readonly observer?: CacheObserver | undefined;
  /** One upstream GET, validated. */
  readonly fetch: (job: J) => Promise<FetchedRead>;
}

/** The record format version of a cached read. Bodies are the vendor's raw (validated) JSON, re-validated on read: schemas may transform. */
const CACHED_READ_FORMAT = 1;
interface CachedRead {
  readonly format: typeof CACHED_READ_FORMAT;
  readonly generation: string;
  readonly body: unknown;
  /** When it was fetched (epoch ms), so a response built from it expires with it; older records lack it. */
  readonly fetchedAt?: number;
}

interface FreshRead {
  readonly key: string;
  readonly vendor: Vendor;
  readonly value: string;
  readonly ttlSeconds: number;
}

/**
 * Loads a batch of keys; returns a read or an Error per key, in key order.
 * Settled by handlers rather than awaited, and a hit is no promise of its own: an async function per key
 * (and per batch) was a frame and promises made for every vendor call and kept for its whole length.
 */
export function loadBatch<J extends ReadJob>(
  deps: ReadBatchDeps<J>,
  tenantId: string,
  keys: readonly string[],
  jobs: ReadonlyMap<string, J>,
  ledger: ReadLedger,
): Promise<(LoadedRead | Error)[]> {
  try {
    const vendors: Vendor[] = [];
    for (const key of keys) {
      const { vendor } = jobs.get(key)!;
      if (!vendors.includes(vendor)) vendors.push(vendor);
    }
    // One round trip: the vendors' generations and every key of the batch (one hash tag, so one MGET in a cluster too).
    const lookUp = () => deps.generations.lookup(tenantId, vendors, keys);
    const pending = deps.generations.recordPending();
    return (pending ? pending.then(lookUp) : lookUp()).then(({ generations, values }) => {
      // Per vendor, in the order of `vendors` (a handful at most).
      const hits = vendors.map(() => 0);
      const misses = vendors.map(() => 0);
      const fresh: FreshRead[] = [];
      const reads = keys.map((key, index): LoadedRead | Promise<LoadedRead | Error> => {
        const job = jobs.get(key)!;
        const generation = generations.get(job.vendor)!;
        if (!generation.trusted) ledger.spoil();
        const hit = generation.trusted ? decodeCached(values[index], generation.token, job.schema) : undefined;
        if (hit !== undefined) {
          hits[vendors.indexOf(job.vendor)]! += 1;
          if (hit.fetchedAt === undefined) ledger.spoil();
          else ledger.record(job.vendor, generation.token, hit.fetchedAt + job.ttlSeconds * 1000);
          // A record without its fetch time is at most a TTL old.
          ledger.noteReadAt(job.vendor, hit.fetchedAt ?? Date.now() - job.ttlSeconds * 1000);
          return hit;
        }
        misses[vendors.indexOf(job.vendor)]! += 1;
        return fetchMiss(deps, key, job, generation, ledger, fresh);
      });
      return Promise.all(reads).then((results) => {
        vendors.forEach((vendor, i) => deps.observer?.onLookup?.({ vendor, hits: hits[i]!, misses: misses[i]! }));
        return fresh.length === 0 ? results : storeFresh(deps, generations, fresh).then(() => results);
      });
    });
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/**
 * Private: a miss goes to the vendor, joining a flight of the same read when one is up; the flight's leader stores it.
 * Settled by handlers rather than awaited: an async function here was a frame kept for the whole vendor call.
 */
function fetchMiss<J extends ReadJob>(
  deps: ReadBatchDeps<J>,
  key: string,
  job: J,
  generation: Generation,
  ledger: ReadLedger,
  fresh: FreshRead[],
): Promise<LoadedRead | Error> {
  let joined: { readonly flight: Promise<FetchedRead>; readonly leader: boolean };
  try {
    // Only reads of the same generation share a flight: one that began before another instance's write is not joined after it.
    joined = deps.flights.join(`${key}#${generation.isNew ? '' : generation.token}`, () => deps.fetch(job));
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const { flight, leader } = joined;
  const failed = (error: unknown): Error => {
    ledger.spoil();
    return error instanceof Error ? error : new Error(String(error));
  };
  return flight.then((loaded) => {
    try {
      ledger.record(job.vendor, generation.token, Date.now() + job.ttlSeconds * 1000);
      ledger.noteReadAt(job.vendor, Date.now());
      // With the cache off, serializing the body again for a store that keeps nothing cost as much as parsing it.
      if (leader && !deps.cache.discards) {
        const record: CachedRead = {
          format: CACHED_READ_FORMAT,
          generation: generation.token,
          body: loaded.body,
          fetchedAt: Date.now(),
        };
        fresh.push({ key, vendor: job.vendor, value: JSON.stringify(record), ttlSeconds: job.ttlSeconds });
      }
      return { value: loaded.value, schema: loaded.schema };
    } catch (error) {
      return failed(error);
    }
  }, failed);
}

/**
 * Private: stores fresh reads under their generation. A generation the lookup
 * made up (none was stored yet) is claimed first, only if still absent: when a
 * write or another instance got there first, these reads are not stored.
 */
async function storeFresh<J extends ReadJob>(
  deps: ReadBatchDeps<J>,
  generations: ReadonlyMap<Vendor, Generation>,
  fresh: readonly FreshRead[],
): Promise<void> {
  const usable = new Set<Vendor>();
  await Promise.all(
    [...generations].map(async ([vendor, generation]) => {
      if (!generation.trusted || !fresh.some((f) => f.vendor === vendor)) return;
      if (await deps.generations.claim(generation)) usable.add(vendor);
    }),
  );
  const entries = fresh.filter((f) => usable.has(f.vendor));
  if (entries.length > 0)
    await deps.cache.setMany(entries.map(({ key, value, ttlSeconds }) => ({ key, value, ttlSeconds })));
}

/** Private: a cached read of the current generation that still fits the schema, or undefined (a miss). */
function decodeCached(
  raw: string | undefined,
  generation: string,
  schema: z.ZodType<unknown>,
): (LoadedRead & { readonly fetchedAt: number | undefined }) | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<CachedRead>;
    // Another format, an older generation (a write came since), or a body that no longer fits the schema: a miss.
    if (parsed.format !== CACHED_READ_FORMAT || parsed.generation !== generation) return undefined;
    const checked = schema.safeParse(parsed.body);
    return checked.success ? { value: checked.data, schema, fetchedAt: parsed.fetchedAt } : undefined;
  } catch {
    return undefined;
  }
}
