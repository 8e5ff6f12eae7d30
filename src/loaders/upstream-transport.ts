import DataLoader from 'dataloader';
import type { z } from 'zod';
import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';
import { upstreamReadKey, upstreamReadPrefix } from '../cache/keys.js';
import { Secret } from '../config/secret.js';
import { boundedMemo } from '../domain/bounded-memo.js';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import { classifyFailure, type FailureInterpreter } from '../http/failure-classification.js';
import { createSecretScrub, type ScrubText } from '../http/secret-scrub.js';
import { verdictOfError } from '../http/attempt-verdict.js';
import type { AttemptTracer, UpstreamHttp, UpstreamRequest, UpstreamResponse } from '../http/upstream-http.js';
import type { Logger } from '../observability/logger.js';
import { ReadLedger } from '../request/read-ledger.js';
import { loadBatch, type FetchedRead, type LoadedRead, type ReadJob } from './read-batch.js';
import { createReadGenerations, type ReadGenerations } from './read-generations.js';
import { createSingleFlight } from './single-flight.js';
import type { ConnectTransport, ReadResource, ReadSpec, ResourcePath, WriteSpec } from './vendor-transport.js';

/**
 * The vendor transports of one request: a DataLoader per request collects
 * every GET the resolvers ask for in one tick and loads them as one batch
 * (read-batch.ts); a write goes straight to the vendor and then invalidates
 * the vendor's reads for the tenant (read-generations.ts).
 */

export interface ReadThroughDeps {
  readonly cache: CacheStore;
  readonly http: UpstreamHttp;
  readonly ttlSeconds: Readonly<Record<ReadResource, number>>;
  readonly logger: Logger;
  readonly observer?: CacheObserver;
}

export interface ReadThrough {
  /** Process-wide; the response cache checks its answers against them too. */
  readonly generations: ReadGenerations;
  /** A new set of loaders for one request: nothing cached in memory outlives it or crosses tenants. */
  forRequest(tenantId: string, request?: ReadRequestOptions): ConnectTransport;
}

/** What one request's vendor reads carry and record. */
export interface ReadRequestOptions {
  /** Sent with every vendor call (request id, traceparent). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Records the request's reads (the response cache's bookkeeping); a fresh one when omitted. */
  readonly ledger?: ReadLedger;
  /** The request's own secrets, scrubbed from every vendor answer. */
  readonly secrets?: Iterable<string>;
  readonly trace?: AttemptTracer | undefined;
  /** When the request's vendor calls must be done, on performance.now(); retries and backoffs respect it. */
  readonly deadline?: number | undefined;
}

interface UpstreamReadJob extends ReadJob {
  readonly request: UpstreamRequest;
  readonly interpretFailure: FailureInterpreter | undefined;
}

export function createReadThrough(deps: ReadThroughDeps): ReadThrough {
  const generations = createReadGenerations(deps.cache, deps.observer);
  const batchDeps = {
    cache: deps.cache,
    generations,
    flights: createSingleFlight(),
    observer: deps.observer,
    fetch: (job: UpstreamReadJob) => fetchRead(deps, job),
  };
  return {
    generations,
    forRequest(
      tenantId,
      { headers: extraHeaders = {}, ledger = new ReadLedger(), secrets = [], trace, deadline } = {},
    ) {
      // The request's secrets, plus each endpoint's own credentials (below), are scrubbed from every vendor answer.
      const requestSecrets = Array.isArray(secrets) ? (secrets as readonly string[]) : [...secrets];
      const jobs = new Map<string, UpstreamReadJob>();
      const loader = new DataLoader<string, LoadedRead>((keys) => loadBatch(batchDeps, tenantId, keys, jobs, ledger), {
        maxBatchSize: 200,
      });

      /** After a write: this request's loaded reads, the instance's flights and every instance's cached reads of the vendor go. */
      const invalidateVendor = async (vendor: Vendor) => {
        loader.clearAll();
        batchDeps.flights.forget(upstreamReadPrefix(tenantId, vendor));
        await generations.invalidate(tenantId, vendor);
      };

      return (endpoint) => {
        const { vendor } = endpoint;
        // Worked out on the endpoint's first call, once: an adapter is connected for every request that uses it.
        let scrub: ScrubText | undefined;
        let headers: Readonly<Record<string, string>> | undefined;
        const baseUrl = endpoint.baseUrl.replace(/\/+$/, '');
        const keyOf = (p: ResourcePath) =>
          upstreamReadKey({
            tenantId,
            vendor,
            scope: endpoint.scope,
            path: p.path,
            ...(p.query && { query: p.query }),
          });
        // One shape for every call, no spreads: a literal with spread parts was built property by property.
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
          url: urlOf(baseUrl, p),
          route: p.route,
          trace,
          deadline,
          headers: (headers ??= mergeHeaders(endpoint.headers, extraHeaders)),
          scrub: (scrub ??= scrubOf(requestSecrets, endpoint.headers)),
          body,
        });

        return {
          // Not async: its frame would be kept for the whole vendor call (as would every caller's that only awaits).
          read<T>(spec: ReadSpec<T>): Promise<T> {
            let loading: Promise<LoadedRead>;
            let key: string;
            try {
              key = keyOf(spec);
              if (!jobs.has(key)) {
                jobs.set(key, {
                  vendor,
                  request: requestFor('GET', spec, true),
                  schema: spec.schema as z.ZodType<unknown>,
                  ttlSeconds: deps.ttlSeconds[spec.resource],
                  interpretFailure: endpoint.interpretFailure,
                });
              }
              loading = loader.load(key);
            } catch (error) {
              return Promise.reject(error as Error);
            }
            return loading.then((loaded) => {
              // Parsed once already when the schema is the one that loaded it (every adapter reads a path one way).
              if (loaded.schema === spec.schema) return loaded.value as T;
              // Another schema registered this read first: read it again for this one, and cache no answer built on it.
              ledger.spoil();
              return fetchRead(deps, { ...jobs.get(key)!, schema: spec.schema as z.ZodType<unknown> }).then(
                (read) => read.value as T,
              );
            });
          },

          async write<T>(spec: WriteSpec<T>): Promise<T | undefined> {
            ledger.spoil();
            let response: UpstreamResponse;
            try {
              response = await deps.http.send(requestFor(spec.method, spec, spec.idempotent ?? false, spec.body));
            } catch (error) {
              throw markUnknownOutcome(error);
            } finally {
              // Even a failed write may have changed something (a timeout after the vendor applied it).
              await invalidateVendor(vendor);
            }
            if (response.status < 200 || response.status > 299)
              throw classifyFailure(vendor, response, endpoint.interpretFailure);
            if (spec.schema === null) return undefined;
            return validateBody(vendor, spec.schema, response.body, deps.logger, () => spec.path);
          },

          async invalidate(paths) {
            ledger.spoil();
            const keys = paths.map(keyOf);
            for (const key of keys) loader.clear(key);
            await deps.cache.deleteMany(keys);
          },
        };
      };
    },
  };
}

/** Private: one upstream GET, validated; resolves to the raw body and its parsed value. */
function fetchRead(deps: ReadThroughDeps, job: UpstreamReadJob): Promise<FetchedRead> {
  let sent: Promise<UpstreamResponse>;
  try {
    sent = deps.http.send(job.request);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return sent.then((response) => {
    if (response.status < 200 || response.status > 299)
      throw classifyFailure(job.vendor, response, job.interpretFailure);
    const value = validateBody(
      job.vendor,
      job.schema,
      response.body,
      deps.logger,
      () => new URL(job.request.url).pathname,
    );
    return { body: response.body, value, schema: job.schema };
  });
}

/** `path` is only worked out for the log line of a body that fails its schema. */
function validateBody<T>(vendor: Vendor, schema: z.ZodType<T>, body: unknown, logger: Logger, path: () => string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // Issue paths and messages only: the body may hold personal data or tokens.
  logger.warn(
    {
      vendor,
      path: path(),
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

/** Private: a write error after which the vendor may have acted (timeout, reset after sending), so marked. */
function markUnknownOutcome(error: unknown): unknown {
  const network =
    error instanceof UpstreamError &&
    error.details.status === undefined &&
    (error.code === GatewayErrorCode.UPSTREAM_TIMEOUT || error.code === GatewayErrorCode.UPSTREAM_UNAVAILABLE);
  if (!network || verdictOfError(error).maybeProcessed !== 'unknown') return error;
  return new UpstreamError(error.vendor, error.code, error.message, { ...error.details, outcomeUnknown: true });
}

/**
 * Private: the scrub of a request's secrets and an endpoint's credentials. The same few sets come back request after
 * request (a tenant's key and credentials), so each set's scrub is built once: not its spellings escaped and sorted per request.
 */
const scrubs = boundedMemo<string, ScrubText>(1024);
function scrubOf(requestSecrets: readonly string[], headers: Readonly<Record<string, string | Secret>>): ScrubText {
  const all = [...requestSecrets, ...credentialsOf(headers)];
  // JSON of the list, not a join: no two different sets may share a key (and so a scrub).
  return scrubs(JSON.stringify(all), () => createSecretScrub(all));
}

/** Private: the secret header values an endpoint sends, and the token inside a `Bearer <token>` one. */
function credentialsOf(headers: Readonly<Record<string, string | Secret>>): string[] {
  const found: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value instanceof Secret) for (const credential of credentialOf(value)) found.push(credential);
  }
  return found;
}

/** Private: a configured credential is the same Secret on every request, so its spellings are worked out once. */
const credentials = new WeakMap<Secret, readonly string[]>();
function credentialOf(secret: Secret): readonly string[] {
  let known = credentials.get(secret);
  if (known === undefined) {
    const revealed = secret.reveal();
    const token = /^(?:Bearer|Basic)\s+(.+)$/i.exec(revealed)?.[1];
    credentials.set(secret, (known = token ? [revealed, token] : [revealed]));
  }
  return known;
}

/** The endpoint's headers revealed, then the request's own: one object, built once per endpoint and request. */
function mergeHeaders(
  headers: Readonly<Record<string, string | Secret>>,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    merged[name] = value instanceof Secret ? value.reveal() : value;
  }
  for (const name of Object.keys(extra)) merged[name] = extra[name]!;
  return merged;
}

/** `baseUrl` without its trailing slashes. */
function urlOf(baseUrl: string, p: ResourcePath): string {
  const query = p.query && Object.keys(p.query).length > 0 ? `?${new URLSearchParams(p.query).toString()}` : '';
  return `${baseUrl}${p.path}${query}`;
}
