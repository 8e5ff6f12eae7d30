import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import type { AttemptError } from '../domain/webhook-deliveries.js';
import type { TargetPolicy } from './target-policy.js';

/**
 * One delivery attempt over HTTP: a POST through an undici Agent whose sockets
 * resolve names through the SSRF policy (only checked addresses are connected
 * to), no redirects followed (a 3xx fails the attempt), the whole attempt cut
 * at `timeoutMs`, and at most `maxResponseBytes` of the answer read.
 */

export interface AttemptOutcome {
  readonly statusCode: number | null;
  readonly error: AttemptError | null;
}

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

export interface SenderOptions {
  readonly policy: TargetPolicy;
  readonly allowHttp: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
  'ETIMEDOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME']);

export function createSender(options: SenderOptions): Sender {
  const { policy, timeoutMs, maxResponseBytes } = options;
  const agent = new Agent({
    connect: { lookup: policy.lookup, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });
  return {
    async send(raw, headers, body) {
      const url = new URL(raw);
      // The socket's lookup checks names; a literal address is never looked up, so it is checked here.
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && options.allowHttp);
      if (!scheme || (isIP(host) && !policy.allows(host))) return { statusCode: null, error: 'TARGET_NOT_ALLOWED' };
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal });
        await drain(response.body, maxResponseBytes);
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        return { statusCode: response.statusCode, error: ok ? null : 'HTTP_STATUS' };
      } catch (error) {
        return { statusCode: null, error: classify(error, signal) };
      }
    },
    close: () => agent.close(),
  };
}

/** Private: reads at most `cap` bytes of an answer nobody needs (a flood is cut off, a small answer keeps the socket reusable). */
async function drain(body: AsyncIterable<Buffer> & { destroy(): unknown }, cap: number): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of body) {
      read += chunk.length;
      if (read > cap) break;
    }
  } finally {
    if (read > cap) body.destroy();
  }
}

function classify(error: unknown, signal: AbortSignal): AttemptError {
  if (signal.aborted) return 'TIMEOUT';
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') codes.push('ABORT_ERR');
  }
  if (codes.includes('ETARGETREFUSED')) return 'TARGET_NOT_ALLOWED';
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'TIMEOUT';
  if (codes.some((c) => DNS_CODES.has(c))) return 'DNS';
  return 'CONNECTION';
}
