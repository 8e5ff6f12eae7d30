import { Agent, request, errors as undiciErrors } from 'undici';
import { bulkhead, type BulkheadPolicy } from 'cockatiel';
import { GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { Vendor } from '../domain/models.js';

/**
 * The one place Junction talks HTTP to vendors. Calls go through undici's
 * pooled `request` (about twice the throughput of global fetch on this
 * hardware), under a per-vendor concurrency cap and a hard timeout. Network
 * failures come back as UpstreamError; HTTP statuses come back as responses,
 * because only the vendor's data source knows what its 4xx bodies mean.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface UpstreamRequest {
  readonly vendor: Vendor;
  readonly method: HttpMethod;
  /** Absolute URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialized as JSON when present. */
  readonly body?: unknown;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

export interface UpstreamHttpOptions {
  /** Hard limit on one call, from sending to the last body byte. @default 5000 */
  readonly timeoutMs?: number;
  /** Calls in flight per vendor; further calls queue. @default 16 */
  readonly maxConcurrencyPerVendor?: number;
}

export interface UpstreamHttp {
  send(req: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export function createUpstreamHttp({
  timeoutMs = 5000,
  maxConcurrencyPerVendor = 16,
}: UpstreamHttpOptions = {}): UpstreamHttp {
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000, pipelining: 1 });
  const caps = new Map<Vendor, BulkheadPolicy>();
  const capFor = (vendor: Vendor) => {
    let cap = caps.get(vendor);
    if (!cap) caps.set(vendor, (cap = bulkhead(maxConcurrencyPerVendor, Number.MAX_SAFE_INTEGER)));
    return cap;
  };

  async function sendOnce(req: UpstreamRequest): Promise<UpstreamResponse> {
    const signal = AbortSignal.timeout(timeoutMs);
    const hasBody = req.body !== undefined;
    try {
      const res = await request(req.url, {
        dispatcher,
        method: req.method,
        headers: { accept: 'application/json', ...(hasBody && { 'content-type': 'application/json' }), ...req.headers },
        body: hasBody ? JSON.stringify(req.body) : undefined,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body: parseJson(req.vendor, text, res.statusCode) };
    } catch (error) {
      throw toUpstreamError(req.vendor, error, signal.aborted);
    }
  }

  return {
    send: (req) => capFor(req.vendor).execute(() => sendOnce(req)),
    close: () => dispatcher.close(),
  };
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
