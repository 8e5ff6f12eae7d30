import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationRequest } from './persisted-operations.js';

/** Plain request and response plumbing for the HTTP server: bodies in, JSON out, refusals. */

/**
 * A request answered with an error before GraphQL runs (bad body, no credentials,
 * not on the safelist…). Thrown by a step; the server sends it.
 */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * Past the limit the rest of a body is read and dropped, not kept: a client
 * still sending (a chunked body declares no length) then reads the 413 instead
 * of a reset connection. Beyond this much more, the connection is cut.
 */
const DRAINED_BYTES_MAX = 16 * 1024 * 1024;

/** The body as text; a Refusal (413) as soon as it is declared or read past `maxBytes`, with nothing more kept. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let drained = 0;
    const drain = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAINED_BYTES_MAX) req.destroy();
    };
    const refuse = () => {
      chunks.length = 0;
      req.off('data', keep).on('data', drain);
      reject(new Refusal(413, 'The request body is too large', 'PAYLOAD_TOO_LARGE'));
    };
    const keep = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) refuse();
      else chunks.push(chunk);
    };
    req.on('error', reject);
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return refuse();
    req.on('data', keep);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** An operation as sent, with the text its JSON body was parsed from. */
export interface ReceivedOperation extends OperationRequest {
  readonly text?: string;
}

/** The operation as sent: a POST's body (JSON parsed), or a GET's query string. */
export async function readOperationRequest(
  req: IncomingMessage,
  search: string,
  options: { readonly maxBodyBytes?: number; readonly maxBatchOperations?: number | undefined },
): Promise<ReceivedOperation> {
  const method = req.method ?? 'GET';
  if (method !== 'POST') return { method, body: undefined, search };
  const text = await readBody(req, options.maxBodyBytes ?? 1_000_000);
  const contentType = req.headers['content-type'] ?? '';
  const json = contentType.includes('application/json') || contentType.includes('application/graphql-response+json');
  if (!json) return { method, body: text, search };
  let body: unknown;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    throw new Refusal(400, 'The request body is not valid JSON', 'BAD_REQUEST');
  }
  const maxBatch = options.maxBatchOperations;
  if (Array.isArray(body) && maxBatch !== undefined && body.length > maxBatch)
    throw new Refusal(400, `A batch may hold at most ${maxBatch} operations`, 'BATCH_LIMIT_EXCEEDED');
  return { method, body, search, text };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The GraphQL-over-HTTP shape of an error outside any operation. */
export const requestError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
  sendJson(res, refusal.status, requestError(refusal.message, refusal.code));
}
