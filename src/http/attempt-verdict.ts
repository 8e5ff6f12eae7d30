import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * What one attempt's outcome means for the policy: may another attempt help,
 * may the vendor have acted on the request, and how long it asked us to wait.
 * Kept apart from the policy so the rules read as one table.
 */

export interface AttemptVerdict {
  /** Another attempt may succeed (network trouble, 5xx, 429). */
  readonly transient: boolean;
  /**
   * Whether the vendor may have acted on the request: `no` for a 429 (refused
   * before doing anything) and a refused connection (nothing was sent);
   * `unknown` for a timeout, a reset or a 5xx after sending.
   */
  readonly maybeProcessed: 'no' | 'unknown';
  /** The vendor is in trouble (counts towards opening its breaker); a 429 is a healthy vendor protecting itself. */
  readonly countsAsFailure: boolean;
  /** Retry-After on 429/503, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Metric label: the HTTP status, or what went wrong on the wire. */
  readonly label: string;
}

interface AttemptResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

/** The verdict on a status that is not transient depends on the status alone: made once per status, not per attempt. */
const SETTLED_VERDICTS = new Map<number, AttemptVerdict>();

export function verdictOfResponse(response: AttemptResponse): AttemptVerdict {
  const { status } = response;
  if (!TRANSIENT_STATUSES.has(status)) {
    let verdict = SETTLED_VERDICTS.get(status);
    if (verdict === undefined) {
      verdict = Object.freeze({
        transient: false,
        maybeProcessed: 'unknown',
        countsAsFailure: false,
        label: String(status),
      });
      // Statuses are three digits (undici refuses others), so the map stays small; the bound is a guard.
      if (SETTLED_VERDICTS.size < 1000) SETTLED_VERDICTS.set(status, verdict);
    }
    return verdict;
  }
  const label = String(status);
  const retryAfter = status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
  return {
    transient: true,
    maybeProcessed: status === 429 ? 'no' : 'unknown',
    countsAsFailure: status !== 429,
    ...(retryAfter !== undefined && { retryAfterMs: retryAfter * 1000 }),
    label,
  };
}

/** The breaker refused the call; never retried (the breaker exists to stop calls). */
export class CircuitOpenCause extends Error {
  constructor() {
    super('circuit open');
    this.name = 'CircuitOpenCause';
  }
}

/** The request's deadline left no time for another attempt; never retried (the time is gone). */
export class DeadlineCause extends Error {
  constructor() {
    super('request deadline');
    this.name = 'DeadlineCause';
  }
}

/** The tenant's queue for the vendor was full; never retried (asking again at once meets the same queue). */
export class BulkheadFullCause extends Error {
  constructor() {
    super('too many calls waiting');
    this.name = 'BulkheadFullCause';
  }
}

export function verdictOfError(error: unknown): AttemptVerdict {
  if (!(error instanceof UpstreamError))
    return { transient: false, maybeProcessed: 'unknown', countsAsFailure: false, label: 'error' };
  if (error.details.cause instanceof CircuitOpenCause)
    return { transient: false, maybeProcessed: 'no', countsAsFailure: false, label: 'circuit_open' };
  if (error.details.cause instanceof DeadlineCause)
    return { transient: false, maybeProcessed: 'no', countsAsFailure: false, label: 'deadline' };
  if (error.details.cause instanceof BulkheadFullCause)
    return { transient: false, maybeProcessed: 'no', countsAsFailure: false, label: 'bulkhead_full' };
  switch (error.code) {
    case GatewayErrorCode.UPSTREAM_TIMEOUT:
      return { transient: true, maybeProcessed: 'unknown', countsAsFailure: true, label: 'timeout' };
    case GatewayErrorCode.UPSTREAM_UNAVAILABLE: {
      const refused = errorCodeOf(error.details.cause) === 'ECONNREFUSED';
      return {
        transient: true,
        maybeProcessed: refused ? 'no' : 'unknown',
        countsAsFailure: true,
        label: refused ? 'refused' : 'unreachable',
      };
    }
    case GatewayErrorCode.UPSTREAM_RESPONSE_TOO_LARGE:
      // Asking again gets the same body; the vendor is up.
      return { transient: false, maybeProcessed: 'unknown', countsAsFailure: false, label: 'too_large' };
    default:
      // A 2xx whose body is not JSON: asking again rarely helps, and the vendor is up.
      return { transient: false, maybeProcessed: 'unknown', countsAsFailure: false, label: 'bad_body' };
  }
}

/** Private: the errno-style code of a network error, through undici's wrapping. */
function errorCodeOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return code;
  }
  return undefined;
}
