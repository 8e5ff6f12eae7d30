import { describe, expect, it } from 'vitest';
import { GatewayErrorCode, UpstreamError, UserFacingError } from '../../src/domain/errors.js';
import { CircuitOpenCause, verdictOfError, verdictOfResponse } from '../../src/http/attempt-verdict.js';
import { classifyFailure } from '../../src/http/failure-classification.js';

/**
 * The rules that decide what a failed vendor call means, in-process: whether
 * another attempt may help, whether the vendor may have acted (so whether a
 * write may be repeated), what counts towards the breaker, and which error a
 * client gets for a non-2xx answer.
 */

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: undefined });
const upstream = (code: GatewayErrorCode, cause?: unknown) =>
  new UpstreamError('LEEN', code, 'failed', cause === undefined ? {} : { cause });
const errno = (code: string) => Object.assign(new Error(code), { code });

describe('attempt verdicts of responses', () => {
  it.each([200, 201, 204, 400, 401, 404, 409, 422])('%i is final: never retried, not a vendor failure', (status) => {
    expect(verdictOfResponse(response(status))).toEqual({
      transient: false,
      maybeProcessed: 'unknown',
      countsAsFailure: false,
      label: String(status),
    });
  });

  it.each([500, 502, 503, 504])(
    '%i may pass on another attempt, may have been acted on, counts as a failure',
    (status) => {
      expect(verdictOfResponse(response(status))).toEqual({
        transient: true,
        maybeProcessed: 'unknown',
        countsAsFailure: true,
        label: String(status),
      });
    },
  );

  it('429 was refused before anything was done: retryable even for a write, and not a vendor failure', () => {
    expect(verdictOfResponse(response(429, { 'retry-after': '3' }))).toEqual({
      transient: true,
      maybeProcessed: 'no',
      countsAsFailure: false,
      retryAfterMs: 3000,
      label: '429',
    });
  });

  it('reads Retry-After on 429 and 503 only', () => {
    expect(verdictOfResponse(response(503, { 'retry-after': '2' })).retryAfterMs).toBe(2000);
    expect(verdictOfResponse(response(500, { 'retry-after': '2' })).retryAfterMs).toBeUndefined();
    expect(verdictOfResponse(response(503, { 'retry-after': 'soon' })).retryAfterMs).toBeUndefined();
  });
});

describe('attempt verdicts of errors', () => {
  it('a timeout is retryable, may have been acted on, and counts as a failure', () => {
    expect(verdictOfError(upstream(GatewayErrorCode.UPSTREAM_TIMEOUT))).toEqual({
      transient: true,
      maybeProcessed: 'unknown',
      countsAsFailure: true,
      label: 'timeout',
    });
  });

  it('a refused connection sent nothing, however deep undici wrapped the ECONNREFUSED', () => {
    const wrapped = new Error('fetch failed', { cause: new Error('connect', { cause: errno('ECONNREFUSED') }) });
    expect(verdictOfError(upstream(GatewayErrorCode.UPSTREAM_UNAVAILABLE, wrapped))).toMatchObject({
      transient: true,
      maybeProcessed: 'no',
      countsAsFailure: true,
      label: 'refused',
    });
  });

  it('a reset after sending may have been acted on', () => {
    expect(verdictOfError(upstream(GatewayErrorCode.UPSTREAM_UNAVAILABLE, errno('ECONNRESET')))).toMatchObject({
      transient: true,
      maybeProcessed: 'unknown',
      label: 'unreachable',
    });
  });

  it('an open breaker is never retried and does not count against the vendor', () => {
    expect(verdictOfError(upstream(GatewayErrorCode.UPSTREAM_UNAVAILABLE, new CircuitOpenCause()))).toEqual({
      transient: false,
      maybeProcessed: 'no',
      countsAsFailure: false,
      label: 'circuit_open',
    });
  });

  it('an unreadable body and errors that are not upstream failures are final', () => {
    expect(verdictOfError(upstream(GatewayErrorCode.UPSTREAM_BAD_RESPONSE))).toMatchObject({
      transient: false,
      countsAsFailure: false,
      label: 'bad_body',
    });
    expect(verdictOfError(new TypeError('bug'))).toMatchObject({ transient: false, label: 'error' });
  });
});

describe('classification of non-2xx answers', () => {
  const interpretAll = () => new UserFacingError('VENDOR_REJECTED', 'the vendor says no');

  it('429 is RATE_LIMITED with its Retry-After, whatever the vendor would say', () => {
    const error = classifyFailure('LEEN', response(429, { 'retry-after': '7' }), interpretAll);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).extensions).toMatchObject({
      code: 'RATE_LIMITED',
      vendor: 'LEEN',
      status: 429,
      retryAfter: 7,
    });
  });

  it('5xx is UPSTREAM_UNAVAILABLE, with Retry-After only from a 503', () => {
    const unavailable = classifyFailure('LEEN', response(503, { 'retry-after': '4' }), interpretAll) as UpstreamError;
    expect(unavailable.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, retryAfter: 4 });
    const failed = classifyFailure('LEEN', response(500, { 'retry-after': '4' }), undefined) as UpstreamError;
    expect(failed.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 500 });
    expect(failed.extensions.retryAfter).toBeUndefined();
  });

  it("a 4xx is the vendor's to read first", () => {
    const error = classifyFailure('LEEN', response(409), interpretAll);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as UserFacingError).code).toBe('VENDOR_REJECTED');
  });

  it.each([
    [401, 'UPSTREAM_UNAUTHORIZED'],
    [403, 'UPSTREAM_UNAUTHORIZED'],
    [404, 'NOT_FOUND'],
    [400, 'UPSTREAM_REJECTED'],
    [422, 'UPSTREAM_REJECTED'],
  ])('without a vendor reading, %i is %s', (status, code) => {
    const error = classifyFailure('LEEN', response(status), () => undefined) as UpstreamError;
    expect(error.extensions).toMatchObject({ code, vendor: 'LEEN', status });
  });

  it('never puts the vendor body in the error', () => {
    const secret = 'key_that_the_vendor_echoed';
    const error = classifyFailure('LEEN', { status: 400, headers: {}, body: { echo: secret } }, undefined);
    expect(JSON.stringify({ message: error.message, ...(error as UpstreamError).extensions })).not.toContain(secret);
  });
});
