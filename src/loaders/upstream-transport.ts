import DataLoader from 'dataloader';
import type { z } from 'zod';
import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';
import { readGenerationKey, upstreamReadKey, upstreamReadPrefix } from '../cache/keys.js';
import { Secret } from '../config/secret.js';
import type { UserFacingError } from '../domain/errors.js';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import { parseRetryAfter } from '../http/retry-after.js';
import type { UpstreamHttp, UpstreamRequest, UpstreamResponse } from '../http/upstream-http.js';
import type { Logger } from '../observability/logger.js';
import { randomToken } from '../observability/random-ids.js';
import type {
  ConnectTransport,
  ReadResource,
  ReadSpec,
  ResourcePath,
  UpstreamFailure,
  VendorEndpoint,
  WriteSpec,
} from '../vendors/port.js';

/**
 * Upstream reads, per request: a DataLoader collects every GET the request's
 * resolvers ask for in one tick, looks them all up in the shared cache in one
 * round trip, fetches the misses concurrently (one call per distinct resource,
 * shared with identical in-flight reads of other requests on this instance),
 * and stores the fresh bodies in one more round trip.
 *
 * Invalidation is by generation: every cached read records the generation of
 * its tenant's reads at its vendor (keys.ts, readGenerationKey), read in the
 * same MGET before the vendor is called; every write to a vendor replaces that
 * generation. So after a mutation no instance serves an older read, and a read
 * that started before the mutation and stores its (possibly stale) body after
 * it stores it under the old generation, where nobody will read it.
 */

export interface ReadThroughDeps {
  readonly cache: CacheStore;
  readonly http: UpstreamHttp;
  readonly ttlSeconds: Readonly<Record<ReadResource, number>>;
  readonly logger: Logger;
  /** Process-wide (createInflightReads): reads in flight (single flight) and invalidations the cache has yet to record. */
  readonly inflight: InflightReads;
  readonly observer?: CacheObserver;
}

export interface InflightReads {
  /** Reads in flight by cache key and generation, so concurrent misses for one key make one upstream call. */
  readonly flights: Map<string, Promise<unknown>>;
  /**
   * Generation keys a write could not replace because the cache was down.
   * Retried before every lookup; while one is pending, its cached reads are
   * not trusted (they may predate the write).
   */
  readonly unrecordedInvalidations: Set<string>;
}

export const createInflightReads = (): InflightReads => ({
  flights: new Map(),
  unrecordedInvalidations: new Set(),
});

/** A generation outlives any cached read; when it expires (or is evicted) every read recorded under it is a miss. */
const GENERATION_TTL_SECONDS = 86_400;
const newGeneration = () => randomToken(9);

interface ReadJob {
  readonly vendor: Vendor;
  readonly request: UpstreamRequest;
  readonly schema: z.ZodType<unknown>;
  readonly ttlSeconds: number;
  readonly interpretFailure: VendorEndpoint['interpretFailure'];
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

/**
 * What one request's reads depended on: per vendor the generation they were
 * read under, and when the first of them expires. The response cache
 * (server/response-cache.ts) stores a whole response only when every read
 * was a cacheable one, and keeps it no longer than its oldest read.
 */
export class ReadLedger {
  readonly generations = new Map<Vendor, string>();
  /** Epoch ms at which the first read of the request expires. */
  expiresAt = Number.POSITIVE_INFINITY;
  reads = 0;
  /** False once any read could not be cached (a failure, an untrusted generation, two generations of one vendor). */
  cacheable = true;

  record(vendor: Vendor, generation: string, expiresAt: number): void {
    const known = this.generations.get(vendor);
    if (known !== undefined && known !== generation) this.cacheable = false;
    this.generations.set(vendor, generation);
    this.expiresAt = Math.min(this.expiresAt, expiresAt);
    this.reads += 1;
  }

  spoil(): void {
    this.cacheable = false;
  }
}

/**
 * What the loader hands back: the raw body (what is cached) and its value as
 * parsed by the schema that loaded it, so the caller that registered the read
 * does not validate the same body a second time.
 */
interface LoadedRead {
  readonly body: unknown;
  readonly value: unknown;
  readonly schema: z.ZodType<unknown>;
}

export function createRequestTransports(
  deps: ReadThroughDeps,
  tenantId: string,
  extraHeaders: Readonly<Record<string, string>> = {},
  ledger: ReadLedger = new ReadLedger(),
): ConnectTransport {
  const jobs = new Map<string, ReadJob>();
  const loader = new DataLoader<string, unknown>((keys) => loadBatch(deps, tenantId, keys, jobs, ledger), {
    maxBatchSize: 200,
  });

  /** After a write: forget this request's reads and the instance's flights of the vendor, and replace its generation. */
  const invalidateVendor = async (vendor: Vendor) => {
    loader.clearAll();
    const prefix = upstreamReadPrefix(tenantId, vendor);
    for (const key of deps.inflight.flights.keys()) if (key.startsWith(prefix)) deps.inflight.flights.delete(key);
    const generationKey = readGenerationKey(tenantId, vendor);
    const applied = await deps.cache.setMany([
      { key: generationKey, value: newGeneration(), ttlSeconds: GENERATION_TTL_SECONDS },
    ]);
    if (applied) deps.inflight.unrecordedInvalidations.delete(generationKey);
    else deps.inflight.unrecordedInvalidations.add(generationKey);
    deps.observer?.onInvalidation?.({ vendor, applied });
  };

  return (endpoint) => {
    const { vendor } = endpoint;
    const keyOf = (p: ResourcePath) =>
      upstreamReadKey({ tenantId, vendor, scope: endpoint.scope, path: p.path, ...(p.query && { query: p.query }) });
    const requestFor = (
      method: UpstreamRequest['method'],
      p: ResourcePath,
      idempotent: boolean,
      body?: unknown,
    ): UpstreamRequest => ({
      vendor,
      tenantId,
      idempotent,
      method,
      url: urlOf(endpoint.baseUrl, p),
      headers: { ...revealHeaders(endpoint.headers), ...extraHeaders },
      ...(body !== undefined && { body }),
    });

    return {
      async read<T>(spec: ReadSpec<T>): Promise<T> {
        const key = keyOf(spec);
        if (!jobs.has(key)) {
          jobs.set(key, {
            vendor,
            request: requestFor('GET', spec, true),
            schema: spec.schema as z.ZodType<unknown>,
            ttlSeconds: deps.ttlSeconds[spec.resource],
            interpretFailure: endpoint.interpretFailure,
          });
        }
        const loaded = (await loader.load(key)) as LoadedRead;
        // Parsed once already when the schema is the one that loaded it (the usual case); otherwise parse the raw body.
        return (loaded.schema === spec.schema ? loaded.value : spec.schema.parse(loaded.body)) as T;
      },

      async write<T>(spec: WriteSpec<T>): Promise<T | undefined> {
        ledger.spoil();
        let response: UpstreamResponse;
        try {
          response = await deps.http.send(requestFor(spec.method, spec, spec.idempotent ?? false, spec.body));
        } finally {
          // Even a failed write may have changed something (a timeout after the vendor applied it).
          await invalidateVendor(vendor);
        }
        if (response.status < 200 || response.status > 299)
          throw classifyFailure(vendor, response, endpoint.interpretFailure);
        if (spec.schema === null) return undefined;
        return validateBody(vendor, spec.schema, response.body, deps.logger, spec.path);
      },

      async invalidate(paths: readonly ResourcePath[]): Promise<void> {
        // An adapter drops reads it found unusable (ProjectManager's failure envelopes come as 200s): no answer built now is cacheable.
        ledger.spoil();
        // write() has already replaced the generation; dropping the keys as well frees the memory at once.
        const keys = paths.map(keyOf);
        for (const key of keys) loader.clear(key);
        await deps.cache.deleteMany(keys);
      },
    };
  };
}

/** Private: re-records the invalidations the cache missed; returns the generation keys still unrecorded. */
async function recordPendingInvalidations(deps: ReadThroughDeps): Promise<ReadonlySet<string>> {
  const pending = deps.inflight.unrecordedInvalidations;
  if (pending.size === 0) return pending;
  const keys = [...pending];
  const applied = await deps.cache.setMany(
    keys.map((key) => ({ key, value: newGeneration(), ttlSeconds: GENERATION_TTL_SECONDS })),
  );
  if (applied) for (const key of keys) pending.delete(key);
  return pending;
}

/** Private: the DataLoader batch function. Returns a body or an Error per key, in key order. */
async function loadBatch(
  deps: ReadThroughDeps,
  tenantId: string,
  keys: readonly string[],
  jobs: Map<string, ReadJob>,
  ledger: ReadLedger,
): Promise<(unknown | Error)[]> {
  const unrecorded = await recordPendingInvalidations(deps);
  const vendors = [...new Set(keys.map((key) => jobs.get(key)!.vendor))];
  const generationKeys = vendors.map((vendor) => readGenerationKey(tenantId, vendor));
  // One round trip: the vendors' generations and every key of the batch (one hash tag, so one MGET in a cluster too).
  const stored = await deps.cache.getMany([...generationKeys, ...keys]);
  const generations = new Map(
    vendors.map((vendor, i) => {
      const current = stored[i];
      return [
        vendor,
        {
          key: generationKeys[i]!,
          token: current ?? newGeneration(),
          isNew: current === undefined,
          trusted: !unrecorded.has(generationKeys[i]!),
        },
      ] as const;
    }),
  );
  const hits = new Map<Vendor, number>();
  const misses = new Map<Vendor, number>();
  const count = (tally: Map<Vendor, number>, vendor: Vendor) => tally.set(vendor, (tally.get(vendor) ?? 0) + 1);

  const fresh: { key: string; vendor: Vendor; value: string; ttlSeconds: number }[] = [];
  const results = await Promise.all(
    keys.map(async (key, index) => {
      const job = jobs.get(key)!;
      const generation = generations.get(job.vendor)!;
      const hit = generation.trusted
        ? decodeCached(stored[generationKeys.length + index], generation.token, job.schema)
        : undefined;
      if (!generation.trusted) ledger.spoil();
      if (hit !== undefined) {
        count(hits, job.vendor);
        if (hit.fetchedAt === undefined) ledger.spoil();
        else ledger.record(job.vendor, generation.token, hit.fetchedAt + job.ttlSeconds * 1000);
        return hit;
      }
      count(misses, job.vendor);
      // Only reads of the same generation share a flight: one that began before another instance's write is not joined after it.
      const flightKey = `${key}#${generation.isNew ? '' : generation.token}`;
      const existing = deps.inflight.flights.get(flightKey);
      const recordFresh = () => ledger.record(job.vendor, generation.token, Date.now() + job.ttlSeconds * 1000);
      const failed = (error: unknown) => (ledger.spoil(), toError(error));
      if (existing) return existing.then((loaded) => (recordFresh(), loaded), failed);
      const flight = fetchBody(deps, job);
      deps.inflight.flights.set(flightKey, flight);
      try {
        const loaded = await flight;
        recordFresh();
        const record: CachedRead = {
          format: CACHED_READ_FORMAT,
          generation: generation.token,
          body: loaded.body,
          fetchedAt: Date.now(),
        };
        fresh.push({ key, vendor: job.vendor, value: JSON.stringify(record), ttlSeconds: job.ttlSeconds });
        return loaded;
      } catch (error) {
        return failed(error);
      } finally {
        // A write may have dropped this flight and another may have started since.
        if (deps.inflight.flights.get(flightKey) === flight) deps.inflight.flights.delete(flightKey);
      }
    }),
  );
  for (const vendor of vendors)
    deps.observer?.onLookup?.({ vendor, hits: hits.get(vendor) ?? 0, misses: misses.get(vendor) ?? 0 });
  await storeFresh(deps, generations, fresh);
  return results;
}

/**
 * Private: stores fresh reads under their generation. A generation this batch
 * made up (none was stored yet) is stored first, only if still absent: when a
 * write or another instance got there first, these reads are not stored.
 */
async function storeFresh(
  deps: ReadThroughDeps,
  generations: ReadonlyMap<Vendor, { key: string; token: string; isNew: boolean; trusted: boolean }>,
  fresh: readonly { key: string; vendor: Vendor; value: string; ttlSeconds: number }[],
): Promise<void> {
  if (fresh.length === 0) return;
  const usable = new Set<Vendor>();
  await Promise.all(
    [...generations].map(async ([vendor, generation]) => {
      if (!generation.trusted || !fresh.some((f) => f.vendor === vendor)) return;
      if (
        !generation.isNew ||
        (await deps.cache.setIfAbsent({
          key: generation.key,
          value: generation.token,
          ttlSeconds: GENERATION_TTL_SECONDS,
        }))
      )
        usable.add(vendor);
    }),
  );
  const entries = fresh.filter((f) => usable.has(f.vendor));
  if (entries.length > 0)
    await deps.cache.setMany(entries.map(({ key, value, ttlSeconds }) => ({ key, value, ttlSeconds })));
}

/** Private: one upstream GET, validated; resolves to the raw body and its parsed value. */
async function fetchBody(deps: ReadThroughDeps, job: ReadJob): Promise<LoadedRead> {
  const response = await deps.http.send(job.request);
  if (response.status < 200 || response.status > 299) throw classifyFailure(job.vendor, response, job.interpretFailure);
  const value = validateBody(job.vendor, job.schema, response.body, deps.logger, new URL(job.request.url).pathname);
  return { body: response.body, value, schema: job.schema };
}

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
    return checked.success
      ? { body: parsed.body, value: checked.data, schema, fetchedAt: parsed.fetchedAt }
      : undefined;
  } catch {
    return undefined;
  }
}

function validateBody<T>(vendor: Vendor, schema: z.ZodType<T>, body: unknown, logger: Logger, path: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // Issue paths and messages only: the body may hold personal data or tokens.
  logger.warn(
    {
      vendor,
      path,
      issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
    'upstream response breaks the contract',
  );
  throw new UpstreamError(
    vendor,
    GatewayErrorCode.UPSTREAM_BAD_RESPONSE,
    `${vendor} answered with a response that breaks its contract`,
  );
}

/** Classifies a non-2xx answer: generic rules for 429 and 5xx, then the vendor's, then defaults. */
export function classifyFailure(
  vendor: Vendor,
  response: UpstreamResponse,
  interpret: VendorEndpoint['interpretFailure'],
): UpstreamError | UserFacingError {
  const { status } = response;
  if (status === 429) {
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    return new UpstreamError(vendor, GatewayErrorCode.RATE_LIMITED, `${vendor} is rate-limiting Junction`, {
      status,
      ...(retryAfter !== undefined && { retryAfter }),
    });
  }
  if (status >= 500) {
    const retryAfter = status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
    return new UpstreamError(vendor, GatewayErrorCode.UPSTREAM_UNAVAILABLE, `${vendor} failed (HTTP ${status})`, {
      status,
      ...(retryAfter !== undefined && { retryAfter }),
    });
  }
  const failure: UpstreamFailure = { status, body: response.body, headers: response.headers };
  const interpreted = interpret?.(failure);
  if (interpreted) return interpreted;
  if (status === 401 || status === 403) {
    return new UpstreamError(
      vendor,
      GatewayErrorCode.UPSTREAM_UNAUTHORIZED,
      `${vendor} rejected Junction's credentials for this tenant`,
      { status },
    );
  }
  if (status === 404)
    return new UpstreamError(vendor, GatewayErrorCode.NOT_FOUND, `${vendor} does not know this resource`, { status });
  return new UpstreamError(
    vendor,
    GatewayErrorCode.UPSTREAM_REJECTED,
    `${vendor} rejected the request (HTTP ${status})`,
    { status },
  );
}

export { parseRetryAfter };

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

function revealHeaders(headers: Readonly<Record<string, string | Secret>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, value instanceof Secret ? value.reveal() : value]),
  );
}

function urlOf(baseUrl: string, p: ResourcePath): string {
  const query = p.query && Object.keys(p.query).length > 0 ? `?${new URLSearchParams(p.query).toString()}` : '';
  return `${baseUrl.replace(/\/+$/, '')}${p.path}${query}`;
}
