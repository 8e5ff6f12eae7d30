import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.js';
import { FORWARDED_CREDENTIAL_HEADERS } from './forwarded-credentials.js';
import { Refusal, requestError } from './http-io.js';

/**
 * CORS for /graphql: which browser origins may call the gateway, per tenant.
 * A preflight carries no credentials, so it cannot know the tenant: it is
 * answered for the union of the global list and every tenant's list. The
 * request that follows is checked again once authenticated, against the global
 * list and its own tenant's; a page allowed for one tenant cannot use another's
 * key. A disallowed origin is refused with a 403 (no Access-Control-* headers)
 * before anything runs. Requests without Origin (servers, curl) and the
 * gateway's own pages (same origin: the IDE) are not CORS and pass untouched.
 * No wildcard and no Allow-Credentials: Junction authenticates by the
 * Authorization header, never by cookies.
 */

export interface CorsPolicy {
  /**
   * At the start of every /graphql request: Vary: Origin; a preflight is
   * answered in full (true returned); a cross-origin request from an origin no
   * list allows is refused; an allowed one gets its Access-Control-* headers.
   */
  enter(req: IncomingMessage, res: ServerResponse): boolean;
  /** Once the tenant is known: refuses a cross-origin request its tenant (and the global list) does not allow. */
  admitTenant(req: IncomingMessage, res: ServerResponse, tenantId: string): void;
}

/** The methods /graphql serves. */
const ALLOWED_METHODS = ['GET', 'POST'];

/** Every request header Junction reads from a client (the CORS-safelisted ones, such as accept, need no listing). */
export const ALLOWED_REQUEST_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'idempotency-key',
  'apollo-require-preflight',
  'x-request-id',
  'traceparent',
  // Server-Sent Events: where a subscription resumes (/graphql/stream).
  'last-event-id',
  ...Object.values(FORWARDED_CREDENTIAL_HEADERS),
];

/** Response headers a page may read beyond the safelisted ones: the request id and the rate limiter's. */
export const EXPOSED_RESPONSE_HEADERS: readonly string[] = [
  'x-request-id',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function createCorsPolicy(
  cors: Config['cors'],
  tenants: readonly { readonly id: string; readonly allowedOrigins: readonly string[] }[],
): CorsPolicy {
  const global = new Set(cors.allowedOrigins);
  const byTenant = new Map(tenants.map((tenant) => [tenant.id, new Set(tenant.allowedOrigins)]));
  const anyTenant = new Set(tenants.flatMap((tenant) => tenant.allowedOrigins));
  const loopback = (origin: string) => cors.allowLoopbackOrigins && isLoopbackOrigin(origin);
  const allowedAnywhere = (origin: string) => loopback(origin) || global.has(origin) || anyTenant.has(origin);
  const preflightHeaders = {
    'access-control-allow-methods': ALLOWED_METHODS.join(', '),
    'access-control-allow-headers': ALLOWED_REQUEST_HEADERS.join(', '),
    'access-control-max-age': String(cors.maxAgeSeconds),
  };

  return {
    enter(req, res) {
      appendVary(res, 'Origin');
      if (req.method === 'OPTIONS') {
        answerPreflight(req, res, allowedAnywhere, preflightHeaders);
        return true;
      }
      const origin = crossOrigin(req);
      if (origin === undefined) return false;
      if (!allowedAnywhere(origin)) throw originRefusal();
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_RESPONSE_HEADERS.join(', '));
      return false;
    },
    admitTenant(req, res, tenantId) {
      const origin = crossOrigin(req);
      if (origin === undefined || loopback(origin) || global.has(origin) || byTenant.get(tenantId)?.has(origin)) return;
      // The browser must not read this answer either.
      res.removeHeader('access-control-allow-origin');
      res.removeHeader('access-control-expose-headers');
      throw originRefusal();
    },
  };
}

/** Private: OPTIONS /graphql. Without Origin it is not a preflight, just a question about the route. */
function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: (origin: string) => boolean,
  headers: Record<string, string>,
): void {
  appendVary(res, 'Access-Control-Request-Method');
  appendVary(res, 'Access-Control-Request-Headers');
  const origin = req.headers.origin;
  if (origin === undefined) {
    res.writeHead(204, { allow: `${ALLOWED_METHODS.join(', ')}, OPTIONS` });
    return void res.end();
  }
  if (!allowed(origin)) {
    const refusal = originRefusal();
    const text = JSON.stringify(requestError(refusal.message, refusal.code));
    res.writeHead(403, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    return void res.end(text);
  }
  // An unlisted method or header still gets the lists: the browser then names what was refused in its console.
  res.writeHead(204, { 'access-control-allow-origin': origin, ...headers });
  res.end();
}

/**
 * Private: the Origin of a cross-origin request, or undefined. Browsers send
 * Origin on same-origin POSTs too; Sec-Fetch-Site (which a page cannot set)
 * tells those apart, and for browsers without it the Host header does.
 */
function crossOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin') return undefined;
  if (site === undefined && hostOf(origin) === req.headers.host) return undefined;
  return origin;
}

const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
};

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

const originRefusal = () =>
  new Refusal(403, 'This origin is not allowed to call the gateway (CORS allow-list)', 'ORIGIN_NOT_ALLOWED');

/** Adds a field to Vary, keeping what is there (the IDE page varies by Accept as well). */
export function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('vary');
  const fields =
    current === undefined
      ? []
      : String(current)
          .split(',')
          .map((f) => f.trim());
  if (fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  res.setHeader('vary', [...fields.filter(Boolean), field].join(', '));
}
