import { GraphQLError } from 'graphql';
import type { UserErrorCode, Vendor } from './models.js';

/**
 * Every error a client may see. `formatError` (src/server/format-error.ts) lets
 * GatewayErrors through and masks everything else as INTERNAL_SERVER_ERROR, so
 * a message that reaches a client was written here, never by a vendor or a socket.
 */
export const GatewayErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  UPSTREAM_RESPONSE_TOO_LARGE: 'UPSTREAM_RESPONSE_TOO_LARGE',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  UPSTREAM_UNAUTHORIZED: 'UPSTREAM_UNAUTHORIZED',
  RATE_LIMITED: 'RATE_LIMITED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  IDEMPOTENCY_UNAVAILABLE: 'IDEMPOTENCY_UNAVAILABLE',
  UPSTREAM_OUTCOME_UNKNOWN: 'UPSTREAM_OUTCOME_UNKNOWN',
  /** A subscription's `after` is older than the event log's retention: events after it are gone. */
  EVENTS_TRIMMED: 'EVENTS_TRIMMED',
  /** The tenant already has as many subscriptions open on this instance as allowed. */
  SUBSCRIPTION_LIMIT_EXCEEDED: 'SUBSCRIPTION_LIMIT_EXCEEDED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

export class GatewayError extends GraphQLError {
  constructor(
    message: string,
    readonly code: GatewayErrorCode,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extensions } });
    this.name = this.constructor.name;
  }
}

/** The client sent something unusable: a malformed global ID, an out-of-range argument. */
export class BadUserInputError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, GatewayErrorCode.BAD_USER_INPUT, extensions);
  }
}

/** The object does not exist or is not visible to the caller; the two are deliberately indistinguishable. */
export class NotFoundError extends GatewayError {
  constructor(typename: string, id: string) {
    super(`${typename} "${id}" was not found`, GatewayErrorCode.NOT_FOUND, { typename });
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(message = 'A valid API key is required: send "Authorization: Bearer <key>"') {
    super(message, GatewayErrorCode.UNAUTHENTICATED, { http: { status: 401 } });
  }
}

/** The caller is authenticated but its credential lacks the scope the operation needs (src/request/caller.ts). */
export class ForbiddenError extends GatewayError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, GatewayErrorCode.FORBIDDEN, { ...extensions, http: { status: 403 } });
  }
}

interface UpstreamErrorDetails {
  /** HTTP status the vendor answered with, when it answered. */
  readonly status?: number;
  /** Seconds the vendor asked us to wait (429/503 Retry-After). */
  readonly retryAfter?: number;
  /** A vendor explanation that is safe to show (validation messages); never raw bodies. */
  readonly vendorMessage?: string;
  readonly cause?: unknown;
  /** A write the vendor may have acted on (timed out, or reset after it was sent): its outcome is unknown. */
  readonly outcomeUnknown?: boolean;
  /** Set once reading the vendor's state showed the write was not applied (extensions.outcome). */
  readonly outcome?: 'NOT_APPLIED';
}

/** A vendor call failed. Carries the vendor and a code; never the URL, credentials or raw body. */
export class UpstreamError extends GatewayError {
  readonly vendor: Vendor;
  readonly details: UpstreamErrorDetails;
  constructor(vendor: Vendor, code: GatewayErrorCode, message: string, details: UpstreamErrorDetails = {}) {
    super(message, code, {
      vendor,
      ...(details.status !== undefined && { status: details.status }),
      ...(details.retryAfter !== undefined && { retryAfter: details.retryAfter }),
      ...(details.outcome !== undefined && { outcome: details.outcome }),
    });
    this.vendor = vendor;
    this.details = details;
    if (details.cause !== undefined) this.cause = details.cause;
  }
}

/**
 * An expected failure of a mutation (not connected, rejected by the vendor…).
 * Vendor adapters throw it; the mutation layer turns it into a `UserError` in
 * the payload instead of a GraphQL error.
 */
export class UserFacingError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly field: readonly string[] = [],
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
