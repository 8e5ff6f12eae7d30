import type { IncomingMessage, ServerResponse } from 'node:http';

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

export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new Refusal(413, 'The request body is too large', 'PAYLOAD_TOO_LARGE');
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.destroy();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
