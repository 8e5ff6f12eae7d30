import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { randomHex } from './random-ids.js';
import { RequestSpans, type GatewayTracer, type IncomingTraceContext } from './tracing.js';

/**
 * Who a request is, for logs and for the vendors: a request id (the client's
 * `x-request-id` when it is a sane token, else a new UUID) and a W3C trace
 * context (https://www.w3.org/TR/trace-context/). Junction joins the caller's
 * trace when it sends a valid `traceparent`, else starts one, and is itself one
 * span: vendors receive a `traceparent` whose parent is that span. With
 * tracing on, the ids are those of exported spans (tracing.ts), and each vendor
 * attempt is a span of its own, the parent named in its `traceparent`.
 */

export interface RequestTrace {
  readonly requestId: string;
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** This gateway request's span id (16 hex digits). */
  readonly spanId: string;
  /** The `traceparent` header to send to vendors. */
  readonly traceparent: string;
  /** The request's spans, when tracing is on. */
  readonly spans?: RequestSpans;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Reads (or starts) the request's identity; called once per request (its RequestState keeps it). */
export function traceRequest(req: IncomingMessage, path: string, tracer?: GatewayTracer): RequestTrace {
  const header = req.headers['x-request-id'];
  const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
  const incoming = parseTraceparent(req.headers.traceparent);
  if (tracer) {
    const spans = new RequestSpans(tracer.tracer, req.method ?? 'GET', path, incoming);
    return { requestId, traceId: spans.traceId, spanId: spans.spanId, traceparent: spans.traceparentOf(), spans };
  }
  const traceId = incoming?.traceId ?? randomHex(16);
  const spanId = randomHex(8);
  // Keep the caller's sampling decision; a trace we start is sampled.
  const flags = incoming?.flags ?? '01';
  return { requestId, traceId, spanId, traceparent: `00-${traceId}-${spanId}-${flags}` };
}

/** Private: a valid version-00 (or later, read as 00) traceparent; all-zero ids are invalid per the spec. */
function parseTraceparent(header: string | string[] | undefined): IncomingTraceContext | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!match) return undefined;
  const [, version, traceId, parentId, flags] = match as unknown as [string, string, string, string, string];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}
