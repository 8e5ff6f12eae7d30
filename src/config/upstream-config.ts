import { z } from 'zod';
import { VENDORS } from '../domain/models.js';
import { intFrom } from './numbers.js';

/** How Junction calls vendors: timeouts, the request deadline, concurrency, body size, retries and breakers. */

const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export const upstreamSchema = z
  .object({
    timeoutMs: intFrom(1).default(5000),
    /**
     * A request's vendor calls, retries and backoffs included, end this long after it arrived
     * (a hung vendor cost 3 × 5 s); no attempt starts that could not finish in the time left.
     */
    requestDeadlineMs: intFrom(1).default(8000),
    /** Bulkhead (src/http/bulkhead.ts): calls in flight per vendor; per tenant and vendor, a share and a queue. */
    maxConcurrencyPerVendor: intFrom(1).default(64),
    maxConcurrencyPerTenant: intFrom(1).default(32),
    maxQueuedPerTenant: intFrom(0).default(2048),
    /** Largest vendor response body read (4 MiB); past it, UPSTREAM_RESPONSE_TOO_LARGE, never cached. */
    maxResponseBytes: intFrom(1).default(DEFAULT_MAX_RESPONSE_BYTES),
    /** The same, per vendor (OUTLIT, SUPERVITY, USERHUB, LEEN, PROJECTMANAGER), in place of maxResponseBytes. */
    maxResponseBytesByVendor: z
      .object(Object.fromEntries(VENDORS.map((vendor) => [vendor, intFrom(1).optional()])))
      .strict()
      .default({}),
    /** Retries of transient vendor failures (src/http/upstream-policy.ts). */
    retry: z
      .object({
        maxAttempts: intFrom(1).max(10).default(3),
        initialDelayMs: intFrom(0).default(50),
        maxDelayMs: intFrom(0).default(1000),
        maxRetryAfterMs: intFrom(0).default(2000),
      })
      .strict()
      .default({ maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1000, maxRetryAfterMs: 2000 }),
    /** Circuit breaker per vendor and tenant. */
    breaker: z
      .object({
        failureThreshold: intFrom(1).default(5),
        halfOpenAfterMs: intFrom(1).default(10_000),
      })
      .strict()
      .default({ failureThreshold: 5, halfOpenAfterMs: 10_000 }),
  })
  .strict()
  .default({
    timeoutMs: 5000,
    requestDeadlineMs: 8000,
    maxConcurrencyPerVendor: 64,
    maxConcurrencyPerTenant: 32,
    maxQueuedPerTenant: 2048,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    maxResponseBytesByVendor: {},
    retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1000, maxRetryAfterMs: 2000 },
    breaker: { failureThreshold: 5, halfOpenAfterMs: 10_000 },
  });
