import { performance } from 'node:perf_hooks';
import { Agent, undiciErrors } from './undici-dispatcher.js';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import { verdictOfError } from './attempt-verdict.js';
import { exchange, type BodyLimit, type Exchanged } from './exchange.js';
import { requestTarget } from './request-target.js';
import type { ScrubText } from './secret-scrub.js';
import { noopUpstreamObserver, type UpstreamObserver } from './upstream-observer.js';
import type { AttemptTimeout } from './attempt-timeout.js';
import { createUpstreamPolicy, type BreakerSettings, type RetrySettings } from './upstream-policy.js';

/**
 * The one place Junction talks HTTP to vendors. Calls go through undici's
 * pooled dispatcher (exchange.ts; leaner than global fetch), under the resilience policy of src/http/upstream-policy.ts:
 * retries, a breaker per vendor and tenant, a bulkhead (per vendor, and per
 * tenant within it) and a timeout per attempt. Network failures come back as UpstreamError; HTTP
 * statuses come back as responses (the last one, once retries are used up),
 * because only the vendor's data source knows what its 4xx bodies mean.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface UpstreamRequest {
  readonly vendor: Vendor;
  /** Whose call this is: each vendor and tenant pair has its own circuit breaker. */
  readonly tenantId: string;
  /**
   * Repeating the request after an unknown outcome (timeout, reset, 5xx) is
   * harmless. True for reads; for writes, the adapter decides per operation
   * (WriteSpec.idempotent). Non-idempotent requests are retried only when the
   * vendor certainly did not act on them (429, connection refused).
   */
  readonly idempotent: boolean;
  readonly method: HttpMethod;
  /** Absolute URL. */
  readonly url: string;
  /** The path template, for traces (`/provisioning/organizations/{organizationId}/connections`). */
  readonly route: string;
  /** Starts a span per attempt when the request is traced; its traceparent replaces the request's. */
  readonly trace?: AttemptTracer | undefined;
  /** When the whole request must be done (performance.now() ms): no attempt starts that could not finish by then. */
  readonly deadline?: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialized as JSON when present. */
  readonly body?: unknown;
  /** Removes the request's secrets from the response text before it is parsed (secret-scrub.ts). */
  readonly scrub?: ScrubText;
}

export interface AttemptTracer {
  startAttempt(call: { vendor: Vendor; method: HttpMethod; route: string; attempt: number }): {
    readonly traceparent: string;
    end(status: number | undefined, error?: string): void;
  };
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

export interface UpstreamHttpOptions {
  /** Hard limit on one attempt, from sending to the last body byte. @default 5000 */
  readonly timeoutMs?: number;
  /** Calls in flight per vendor, all tenants together; further calls queue. @default 64 */
  readonly maxConcurrencyPerVendor?: number;
  /** Calls in flight per tenant and vendor, within the vendor's. @default 32 */
  readonly maxConcurrencyPerTenant?: number;
  /** Calls waiting per tenant and vendor; more are refused with UPSTREAM_UNAVAILABLE and retryAfter. @default 2048 */
  readonly maxQueuedPerTenant?: number;
  /** Largest vendor response body read, in bytes; past it reading stops: UPSTREAM_RESPONSE_TOO_LARGE. @default 4 MiB */
  readonly maxResponseBytes?: number;
  /** Per vendor, in place of maxResponseBytes. */
  readonly maxResponseBytesByVendor?: Readonly<Partial<Record<Vendor, number>>>;
  /** @default 3 attempts, 50 ms first backoff, 1 s longest backoff, Retry-After waited up to 2 s */
  readonly retry?: Partial<RetrySettings>;
  /** @default opens after 5 consecutive failures, trial call after 10 s */
  readonly breaker?: Partial<BreakerSettings>;
  /** The tenant's vendor-call rate limit: seconds to wait when this call would exceed it (refused before sending). */
  readonly spendCall?: (tenantId: string, vendor: Vendor) => Promise<number | undefined>;
}

export interface UpstreamHttp {
  send(req: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export function createUpstreamHttp(
  options: UpstreamHttpOptions = {},
  observer: UpstreamObserver = noopUpstreamObserver,
  /** The clock an open breaker waits by. @default Date.now */
  now?: () => number,
): UpstreamHttp {
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000, pipelining: 1 });
  const policy = createUpstreamPolicy(
    {
      timeoutMs: options.timeoutMs ?? 5000,
      maxConcurrencyPerVendor: options.maxConcurrencyPerVendor ?? 64,
      maxConcurrencyPerTenant: options.maxConcurrencyPerTenant ?? 32,
      maxQueuedPerTenant: options.maxQueuedPerTenant ?? 2048,
      retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1000, maxRetryAfterMs: 2000, ...options.retry },
      breaker: { failureThreshold: 5, halfOpenAfterMs: 10_000, ...options.breaker },
    },
    observer,
    now,
  );

  const bodyLimits = new Map<Vendor, BodyLimit>();
  const bodyLimitOf = (vendor: Vendor): BodyLimit => {
    let bodyLimit = bodyLimits.get(vendor);
    if (bodyLimit === undefined) {
      const limit =
        options.maxResponseBytesByVendor?.[vendor] ?? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      bodyLimits.set(vendor, (bodyLimit = { limit, tooLarge: (status) => tooLarge(vendor, limit, status) }));
    }
    return bodyLimit;
  };

  /** Settled by handlers rather than awaited: an async function here was a frame kept for the whole vendor call. */
  function sendOnce(req: UpstreamRequest, timeout: AttemptTimeout, attempt: number): Promise<UpstreamResponse> {
    const started = performance.now();
    const hasBody = req.body !== undefined;
    const span = req.trace?.startAttempt({ vendor: req.vendor, method: req.method, route: req.route, attempt });
    const failed = (error: unknown): never => {
      const failure = toUpstreamError(req.vendor, error, timeout.expired !== undefined);
      const label = verdictOfError(failure).label;
      if (!(error instanceof UpstreamError))
        observer.attempt(req.vendor, req.method, label, (performance.now() - started) / 1000);
      span?.end(undefined, label);
      throw failure;
    };
    let exchanged: Promise<Exchanged>;
    try {
      const { origin, path } = requestTarget(req.url);
      exchanged = exchange(
        dispatcher,
        {
          origin,
          path,
          method: req.method,
          headers: {
            accept: 'application/json',
            ...(hasBody && { 'content-type': 'application/json' }),
            ...req.headers,
            ...(span && { traceparent: span.traceparent }),
          },
          body: hasBody ? JSON.stringify(req.body) : null,
        },
        bodyLimitOf(req.vendor),
        timeout,
      );
    } catch (error) {
      exchanged = Promise.reject(error as Error);
    }
    return exchanged.then((res) => {
      try {
        const raw = textOf(res);
        // Before anything parses it: a vendor may echo the credential it received.
        const text = req.scrub ? req.scrub(raw) : raw;
        observer.attempt(req.vendor, req.method, String(res.status), (performance.now() - started) / 1000);
        span?.end(res.status);
        return { status: res.status, headers: res.headers, body: parseJson(req.vendor, text, res.status) };
      } catch (error) {
        return failed(error);
      }
    }, failed);
  }

  const rateLimited = (req: UpstreamRequest, retryAfter: number) =>
    new UpstreamError(
      req.vendor,
      GatewayErrorCode.RATE_LIMITED,
      `This tenant's calls to ${req.vendor} are rate-limited`,
      {
        retryAfter,
      },
    );

  return {
    send(req) {
      let attempt = 0;
      const run = () => policy.execute(req, (timeout) => sendOnce(req, timeout, ++attempt));
      try {
        // Without a vendor-call limit (the default) the call starts at once: no await, no frame held while it runs.
        const spending = options.spendCall?.(req.tenantId, req.vendor);
        if (spending === undefined) return run();
        return spending.then((retryAfter) => {
          if (retryAfter !== undefined) throw rateLimited(req, retryAfter);
          return run();
        });
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    // Called once the HTTP server has drained (or its grace ran out): any call still in flight
    // serves a request that is already answered or abandoned, so it is cut rather than awaited.
    close: () => dispatcher.destroy(),
  };
}

const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function tooLarge(vendor: Vendor, limit: number, status: number): UpstreamError {
  return new UpstreamError(
    vendor,
    GatewayErrorCode.UPSTREAM_RESPONSE_TOO_LARGE,
    `${vendor} answered with a body larger than Junction accepts (${limit} bytes)`,
    { status },
  );
}

/** Private: the body as text, without a UTF-8 byte order mark however the body was framed (declared or chunked). */
function textOf({ body }: Exchanged): string {
  const bom = body.length > 2 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  return body.toString('utf8', bom ? 3 : 0);
}

/** Private: an empty body is undefined; anything else must be JSON. */
function parseJson(vendor: Vendor, text: string, status: number): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A non-JSON error page (a proxy's 502 HTML) is still an error status the
    // caller maps; only a 2xx that is not JSON breaks the contract.
    if (status >= 400) return undefined;
    throw new UpstreamError(
      vendor,
      GatewayErrorCode.UPSTREAM_BAD_RESPONSE,
      `${vendor} answered with a body that is not JSON`,
      {
        status,
      },
    );
  }
}

/** Private: network-level failures, named by what the client can do about them. */
function toUpstreamError(vendor: Vendor, error: unknown, timedOut: boolean): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (timedOut || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamError(vendor, GatewayErrorCode.UPSTREAM_TIMEOUT, `${vendor} did not answer in time`, {
      cause: error,
    });
  }
  return new UpstreamError(vendor, GatewayErrorCode.UPSTREAM_UNAVAILABLE, `${vendor} could not be reached`, {
    cause: error,
  });
}
