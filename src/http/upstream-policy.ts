import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IHalfOpenAfterBackoffContext,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import {
  BulkheadFullCause,
  CircuitOpenCause,
  DeadlineCause,
  verdictOfError,
  verdictOfResponse,
  type AttemptVerdict,
} from './attempt-verdict.js';
import { withTimeout, type AttemptTimeout } from './attempt-timeout.js';
import { BulkheadFullError, createBulkhead, type BulkheadSettings } from './bulkhead.js';
import type { BreakerState, UpstreamObserver } from './upstream-observer.js';

/**
 * The resilience policy around every vendor call, built from cockatiel 3
 * (cockatiel 4 needs Node 22) and a bulkhead of our own (bulkhead.ts). From
 * the outside in:
 *
 *   retry (per vendor; exponential backoff with jitter, Retry-After honoured)
 *     → bulkhead (a cap per vendor, and within it a share and a bounded queue
 *       per tenant: one tenant's hung calls never hold another's; a full
 *       queue is refused at once)
 *       → circuit breaker (per vendor AND tenant: one tenant's bad credentials
 *         or quota must not cut the vendor off for everyone; checked once a
 *         call has its slot, so calls queued behind a dead vendor fail fast)
 *         → timeout (per attempt; queueing time does not count)
 *
 * Retries only ever repeat what is harmless to repeat: reads and writes the
 * caller marked idempotent on any transient failure; other writes only when
 * the vendor certainly did not act (a 429, or a connection that was refused
 * before anything was sent).
 */

export interface RetrySettings {
  /** Attempts in all, the first included; 1 disables retries. */
  readonly maxAttempts: number;
  /** First backoff, before jitter. */
  readonly initialDelayMs: number;
  /** Longest backoff between two attempts. */
  readonly maxDelayMs: number;
  /**
   * The longest Retry-After Junction waits out inside one GraphQL request. A
   * longer one is not waited for: the error goes to the client with `retryAfter`.
   */
  readonly maxRetryAfterMs: number;
}

export interface BreakerSettings {
  /** Consecutive failed attempts (timeouts, network errors, 5xx) that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker refuses calls before letting one trial call through. */
  readonly halfOpenAfterMs: number;
}

export interface UpstreamPolicySettings extends BulkheadSettings {
  readonly timeoutMs: number;
  readonly retry: RetrySettings;
  readonly breaker: BreakerSettings;
}

interface AttemptTarget {
  readonly vendor: Vendor;
  /** performance.now() by which the call must be done (UpstreamRequest.deadline). */
  readonly deadline?: number | undefined;
  readonly tenantId: string;
  /** Repeating the request after an unknown outcome is harmless (see UpstreamRequest.idempotent). */
  readonly idempotent: boolean;
}

/** What one attempt produced: a response (any status) or a thrown UpstreamError. */
export interface AttemptResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface UpstreamPolicy {
  /**
   * Runs `attempt` under the policy. `attempt` gets the per-attempt timeout
   * and must honour it. Resolves with the last response
   * (which may still be a 5xx or 429 once retries are used up) or rejects with
   * an UpstreamError.
   */
  execute<R extends AttemptResult>(target: AttemptTarget, attempt: (timeout: AttemptTimeout) => Promise<R>): Promise<R>;
}

/** `now` (milliseconds) is the clock an open breaker waits by; tests pass one they move. */
export function createUpstreamPolicy(
  settings: UpstreamPolicySettings,
  observer: UpstreamObserver,
  now: () => number = Date.now,
): UpstreamPolicy {
  const slots = createBulkhead(settings);
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const retries = new Map<string, RetryPolicy>();
  // A retried outcome (the error thrown or the response returned) carries its call's deadline to the backoff
  // (honouringRetryAfter). Not an AbortSignal per call handed through cockatiel: creating one cost more than this.
  const deadlines = new WeakMap<object, number>();
  const deadlineOf = (outcome: unknown) =>
    typeof outcome === 'object' && outcome !== null ? deadlines.get(outcome) : undefined;
  const breakerOf = (vendor: Vendor, tenantId: string) =>
    getOrCreate(breakers, `${vendor}\u0000${tenantId}`, () => {
      const breaker = circuitBreaker(
        handleWhen((error) => verdictOfError(error).countsAsFailure).orWhenResult(
          (result) => verdictOfResponse(result as AttemptResult).countsAsFailure,
        ),
        {
          halfOpenAfter: halfOpenAfterOn(now, settings.breaker.halfOpenAfterMs),
          breaker: new ConsecutiveBreaker(settings.breaker.failureThreshold),
        },
      );
      breaker.onStateChange((state) => observer.breakerState(vendor, tenantId, breakerStateName(state)));
      observer.breakerState(vendor, tenantId, 'closed');
      return breaker;
    });

  const retryOf = (vendor: Vendor, idempotent: boolean) =>
    getOrCreate(retries, `${vendor}\u0000${idempotent}`, () => {
      const mayRetry = (verdict: AttemptVerdict) =>
        verdict.transient &&
        (idempotent || verdict.maybeProcessed === 'no') &&
        (verdict.retryAfterMs === undefined || verdict.retryAfterMs <= settings.retry.maxRetryAfterMs);
      const policy = retry(
        handleWhen((error) => mayRetry(verdictOfError(error))).orWhenResult((result) =>
          mayRetry(verdictOfResponse(result as AttemptResult)),
        ),
        {
          maxAttempts: settings.retry.maxAttempts - 1, // cockatiel counts retries, not attempts
          backoff: honouringRetryAfter(
            deadlineOf,
            settings.timeoutMs,
            new ExponentialBackoff({
              initialDelay: settings.retry.initialDelayMs,
              maxDelay: settings.retry.maxDelayMs,
            }),
          ),
        },
      );
      policy.onRetry((reason) =>
        observer.retry(
          vendor,
          ('error' in reason ? verdictOfError(reason.error) : verdictOfResponse(reason.value as AttemptResult)).label,
        ),
      );
      return policy;
    });

  return {
    execute(target, attempt) {
      const breaker = breakerOf(target.vendor, target.tenantId);
      const { deadline } = target;
      // Settled by handlers rather than awaited: an async attempt was a frame kept for the whole vendor call.
      return retryOf(target.vendor, target.idempotent).execute(({ attempt: retries }) => {
        const left = deadline === undefined ? Infinity : deadline - performance.now();
        // A retry starts only with a whole attempt's time left; a first attempt gets what is left.
        if (left <= 0 || (retries > 0 && left < settings.timeoutMs)) {
          return Promise.reject(
            new UpstreamError(
              target.vendor,
              GatewayErrorCode.UPSTREAM_TIMEOUT,
              `${target.vendor} did not answer within the request's deadline`,
              { cause: new DeadlineCause() },
            ),
          );
        }
        const limitMs = Math.max(1, Math.floor(Math.min(left, settings.timeoutMs)));
        const failed = (error: unknown): never => {
          if (deadline !== undefined && typeof error === 'object' && error !== null) deadlines.set(error, deadline);
          if (error instanceof BulkheadFullError) {
            observer.bulkheadRejected(target.vendor, target.tenantId);
            throw new UpstreamError(
              target.vendor,
              GatewayErrorCode.UPSTREAM_UNAVAILABLE,
              `Junction has too many calls to ${target.vendor} waiting for this tenant; try again shortly`,
              { retryAfter: 1, cause: new BulkheadFullCause() },
            );
          }
          if (!(error instanceof BrokenCircuitError)) throw error;
          observer.breakerRejected(target.vendor, target.tenantId);
          throw new UpstreamError(
            target.vendor,
            GatewayErrorCode.UPSTREAM_UNAVAILABLE,
            `${target.vendor} is failing; Junction paused calls to it for this tenant`,
            { retryAfter: Math.ceil(settings.breaker.halfOpenAfterMs / 1000), cause: new CircuitOpenCause() },
          );
        };
        return slots
          .run(target.vendor, target.tenantId, () => breaker.execute(() => withTimeout(limitMs, attempt)))
          .then((response) => {
            // Only a failure status is ever retried.
            if (deadline !== undefined && response.status >= 300) deadlines.set(response, deadline);
            return response;
          }, failed);
      });
    },
  };
}

/**
 * Private: the exponential backoff, but never shorter than the vendor's
 * Retry-After (the retry predicate already refused waits above the bound).
 */
function honouringRetryAfter(
  deadlineOf: (outcome: unknown) => number | undefined,
  timeoutMs: number,
  inner: IBackoffFactory<unknown> | IBackoff<unknown>,
): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return {
    next(context) {
      const step = inner.next(context);
      const verdict =
        'error' in context.result
          ? verdictOfError(context.result.error)
          : verdictOfResponse(context.result.value as AttemptResult);
      const wait = Math.max(step.duration, verdict.retryAfterMs ?? 0);
      // No wait for an attempt the deadline would refuse anyway: it is refused at once instead.
      const deadline = deadlineOf('error' in context.result ? context.result.error : context.result.value);
      const duration = deadline !== undefined && performance.now() + wait + timeoutMs > deadline ? 0 : wait;
      return { duration, next: honouringRetryAfter(deadlineOf, timeoutMs, step).next };
    },
  };
}

/**
 * Private: cockatiel 3 times an open breaker with Date.now() against this backoff's duration, read on every
 * call; reporting no wait once halfOpenAfterMs have passed on `now`, and an endless one before, puts it on `now`.
 */
function halfOpenAfterOn(now: () => number, halfOpenAfterMs: number): IBackoffFactory<IHalfOpenAfterBackoffContext> {
  const factory: IBackoffFactory<IHalfOpenAfterBackoffContext> = {
    next() {
      const openedAt = now();
      return {
        get duration() {
          return now() - openedAt >= halfOpenAfterMs ? 0 : Infinity;
        },
        next: factory.next,
      };
    },
  };
  return factory;
}

function breakerStateName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}
