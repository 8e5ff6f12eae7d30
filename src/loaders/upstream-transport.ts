import DataLoader from 'dataloader';
import type { z } from 'zod';
import type { CacheStore } from '../cache/cache-store.js';
import { upstreamReadKey } from '../cache/keys.js';
import { Secret } from '../config/secret.js';
import type { UserFacingError } from '../domain/errors.js';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import type { UpstreamHttp, UpstreamRequest, UpstreamResponse } from '../http/upstream-http.js';
import type { Logger } from '../observability/logger.js';
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
 */

export interface ReadThroughDeps {
  readonly cache: CacheStore;
  readonly http: UpstreamHttp;
  readonly ttlSeconds: Readonly<Record<ReadResource, number>>;
  readonly logger: Logger;
  /** Process-wide map of reads in flight, so concurrent misses for one key make one upstream call. */
  readonly inflight: Map<string, Promise<unknown>>;
}

interface ReadJob {
  readonly vendor: Vendor;
  readonly request: UpstreamRequest;
  readonly schema: z.ZodType<unknown>;
  readonly ttlSeconds: number;
  readonly interpretFailure: VendorEndpoint['interpretFailure'];
}

/** Cached bodies are the vendor's raw (validated) JSON, re-validated on read: schemas may transform. */
interface CachedBody {
  readonly body: unknown;
}

export const createInflightReads = () => new Map<string, Promise<unknown>>();

export function createRequestTransports(
  deps: ReadThroughDeps,
  tenantId: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): ConnectTransport {
  const jobs = new Map<string, ReadJob>();
  const loader = new DataLoader<string, unknown>((keys) => loadBatch(deps, keys, jobs), { maxBatchSize: 200 });

  return (endpoint) => {
    const { vendor } = endpoint;
    const keyOf = (p: ResourcePath) =>
      upstreamReadKey({ tenantId, vendor, scope: endpoint.scope, path: p.path, ...(p.query && { query: p.query }) });
    const requestFor = (method: UpstreamRequest['method'], p: ResourcePath, body?: unknown): UpstreamRequest => ({
      vendor,
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
            request: requestFor('GET', spec),
            schema: spec.schema as z.ZodType<unknown>,
            ttlSeconds: deps.ttlSeconds[spec.resource],
            interpretFailure: endpoint.interpretFailure,
          });
        }
        // The loader hands back the raw body; each caller parses it with its own schema.
        return spec.schema.parse(await loader.load(key));
      },

      async write<T>(spec: WriteSpec<T>): Promise<T | undefined> {
        const response = await deps.http.send(requestFor(spec.method, spec, spec.body));
        if (response.status < 200 || response.status > 299)
          throw classifyFailure(vendor, response, endpoint.interpretFailure);
        if (spec.schema === null) return undefined;
        return validateBody(vendor, spec.schema, response.body, deps.logger, spec.path);
      },

      async invalidate(paths: readonly ResourcePath[]): Promise<void> {
        const keys = paths.map(keyOf);
        for (const key of keys) loader.clear(key);
        await deps.cache.deleteMany(keys);
      },
    };
  };
}

/** Private: the DataLoader batch function. Returns a body or an Error per key, in key order. */
async function loadBatch(
  deps: ReadThroughDeps,
  keys: readonly string[],
  jobs: Map<string, ReadJob>,
): Promise<(unknown | Error)[]> {
  const cached = await deps.cache.getMany(keys);
  const fresh: { key: string; value: string; ttlSeconds: number }[] = [];
  const results = await Promise.all(
    keys.map(async (key, index) => {
      const job = jobs.get(key)!;
      const hit = decodeCached(cached[index], job.schema);
      if (hit !== undefined) return hit.body;
      const existing = deps.inflight.get(key);
      if (existing) return existing.catch((error: unknown) => toError(error));
      const flight = fetchBody(deps, job);
      deps.inflight.set(key, flight);
      try {
        const body = await flight;
        fresh.push({ key, value: JSON.stringify({ body } satisfies CachedBody), ttlSeconds: job.ttlSeconds });
        return body;
      } catch (error) {
        return toError(error);
      } finally {
        deps.inflight.delete(key);
      }
    }),
  );
  if (fresh.length > 0) await deps.cache.setMany(fresh);
  return results;
}

/** Private: one upstream GET, validated; resolves to the raw body. */
async function fetchBody(deps: ReadThroughDeps, job: ReadJob): Promise<unknown> {
  const response = await deps.http.send(job.request);
  if (response.status < 200 || response.status > 299) throw classifyFailure(job.vendor, response, job.interpretFailure);
  validateBody(job.vendor, job.schema, response.body, deps.logger, new URL(job.request.url).pathname);
  return response.body;
}

function decodeCached(raw: string | undefined, schema: z.ZodType<unknown>): CachedBody | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as CachedBody;
    // A record that no longer fits the schema (an older deploy wrote it) is a miss.
    return schema.safeParse(parsed.body).success ? parsed : undefined;
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
  if (status >= 500)
    return new UpstreamError(vendor, GatewayErrorCode.UPSTREAM_UNAVAILABLE, `${vendor} failed (HTTP ${status})`, {
      status,
    });
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

export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

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
