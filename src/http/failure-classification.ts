import { GatewayErrorCode, UpstreamError, type UserFacingError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';
import { parseRetryAfter } from './retry-after.js';
import type { UpstreamResponse } from './upstream-http.js';

/** A non-2xx answer, for the vendor's adapter to interpret. */
export interface UpstreamFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A vendor's reading of a 4xx answer; undefined leaves it to the default mapping. */
export type FailureInterpreter = (failure: UpstreamFailure) => UpstreamError | UserFacingError | undefined;

/** Classifies a non-2xx answer: generic rules for 429 and 5xx, then the vendor's, then defaults. */
export function classifyFailure(
  vendor: Vendor,
  response: UpstreamResponse,
  interpret: FailureInterpreter | undefined,
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
  const interpreted = interpret?.({ status, body: response.body, headers: response.headers });
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
