/**
 * Where a vendor call goes, as undici's dispatcher takes it: the origin and
 * the path with its query. Exactly what WHATWG URL parsing makes of the URL
 * (what undici's `request(url)` did for every call), but without building a
 * URL object when the URL is already in the form parsing would leave it in:
 * the common case, since adapters encode their path parameters.
 */

export interface RequestTarget {
  readonly origin: string;
  /** Path and query ("/a/b?c=d"), as URL parsing normalizes them. */
  readonly path: string;
}

/**
 * Characters URL parsing leaves as they are in a path and in a query. Anything
 * else (spaces, quotes, non-ASCII, "\\", "#", "'", …) takes the slow path.
 */
const PLAIN_PATH = /^\/[\w\-.~!$&()*+,;=:@%/]*$/;
const PLAIN_QUERY = /^[\w\-.~!$&()*+,;=:@%/?]+$/;
/** A "." or ".." segment (also spelled with %2e), which parsing resolves away. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;

/** Origins already checked to be in the form URL parsing gives them (configured base URLs: a handful). */
const plainOrigins = new Map<string, boolean>();
const MAX_ORIGINS = 256;

export function requestTarget(url: string): RequestTarget {
  const authority = url.indexOf('://');
  const pathStart = authority < 0 ? -1 : url.indexOf('/', authority + 3);
  if (pathStart > 0) {
    const origin = url.slice(0, pathStart);
    const queryStart = url.indexOf('?', pathStart);
    const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart);
    const query = queryStart < 0 ? '' : url.slice(queryStart + 1);
    if (
      isPlainOrigin(origin) &&
      PLAIN_PATH.test(path) &&
      !DOT_SEGMENT.test(path) &&
      (queryStart < 0 || PLAIN_QUERY.test(query))
    )
      return { origin, path: queryStart < 0 ? path : `${path}?${query}` };
  }
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname };
}

function isPlainOrigin(origin: string): boolean {
  let plain = plainOrigins.get(origin);
  if (plain === undefined) {
    plain = URL.canParse(origin) && new URL(origin).origin === origin;
    if (plainOrigins.size < MAX_ORIGINS) plainOrigins.set(origin, plain);
  }
  return plain;
}
