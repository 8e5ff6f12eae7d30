import { hash } from 'node:crypto';
import { boundedMemo } from '../domain/bounded-memo.js';

/** SHA-256, base64url, by Node's one-shot `crypto.hash`: no Hash object per digest, the same digest as createHash's. */
export const sha256 = (text: string): string => hash('sha256', text, 'base64url');

/**
 * Cache keys, built only here. `{tenant}` is a Redis Cluster hash tag: all of a
 * tenant's keys live in one slot, so the MGET of one request's batch works in a
 * cluster. The format version (`v1`) changes whenever the cached shape does, so
 * old records are simply never read again.
 */
const CACHE_FORMAT_VERSION = 'v1';

/** Every Junction key starts with this (clear() sweeps it with SCAN). */
export const CACHE_KEY_PREFIX = 'junction:';

const tenantVendorPrefix = (tenantId: string, vendor: string) =>
  `${CACHE_KEY_PREFIX}{${tenantId}}:${CACHE_FORMAT_VERSION}:read:${vendor}:`;

export function upstreamReadKey(parts: {
  tenantId: string;
  vendor: string;
  scope: string;
  path: string;
  query?: Readonly<Record<string, string>>;
}): string {
  const query = parts.query ? new URLSearchParams(Object.entries(parts.query).sort()).toString() : '';
  return `${tenantVendorPrefix(parts.tenantId, parts.vendor)}${hashedScope(parts.scope)}:${parts.path}${query ? `?${query}` : ''}`;
}

/**
 * Private: the scope (organization, plus a credential fingerprint where a caller's own
 * token is forwarded) is hashed: it may be long, and must not appear in Redis. A handful
 * per tenant, asked for on every read: remembered, within a bound.
 */
const scopeHashes = boundedMemo<string, string>(4096);
const hashedScope = (scope: string) => scopeHashes(scope, (text) => sha256(text).slice(0, 16));

/**
 * An automatic persisted query (APQ) registration: the query text under its
 * SHA-256. Not tenant-scoped on purpose: a query's text is not tenant data, and
 * one registration serves every tenant and every gateway instance.
 */
export function persistedQueryKey(sha256Hex: string): string {
  return `junction:apq:${CACHE_FORMAT_VERSION}:${sha256Hex}`;
}

/** The start of every read key of one tenant at one vendor. */
export const upstreamReadPrefix = (tenantId: string, vendor: string) => tenantVendorPrefix(tenantId, vendor);

/**
 * The generation of a tenant's cached reads at one vendor: a random token that
 * every cached read records, replaced by every write to that vendor. A cached
 * read whose token is not the current one is a miss. Same hash tag as the
 * reads, so it is fetched in the same MGET.
 */
export const readGenerationKey = (tenantId: string, vendor: string) =>
  `${CACHE_KEY_PREFIX}{${tenantId}}:${CACHE_FORMAT_VERSION}:generation:${vendor}`;

/**
 * A whole query response (server/response-cache.ts), by the digest of
 * everything it depends on (`parts`, hashed: they hold documents, variables and
 * credential fingerprints). Same hash tag as the generations it is checked
 * against, so one MGET fetches both.
 */
export function responseKey(tenantId: string, parts: readonly string[]): string {
  // Each part followed by a newline, hashed as one text.
  return `${CACHE_KEY_PREFIX}{${tenantId}}:${CACHE_FORMAT_VERSION}:response:${sha256(`${parts.join('\n')}\n`)}`;
}

/**
 * The keys an instance keeps near (near-cache.ts): generations, whole answers and reads, the ones
 * read on every request. Every change of one through the store is announced to the other instances.
 */
const NEAR_KINDS = new RegExp(`^${CACHE_KEY_PREFIX}\\{[^}]*\\}:${CACHE_FORMAT_VERSION}:(?:generation|response|read):`);
export const isNearCacheable = (key: string) => NEAR_KINDS.test(key);

/**
 * An idempotency record: the first result of a keyed mutation. The client's key
 * is hashed (any length, any characters, never stored in clear); the tenant in
 * the hash tag keeps one tenant's key from ever meeting another's.
 */
export function idempotencyRecordKey(parts: { tenantId: string; key: string }): string {
  const digest = sha256(parts.key);
  return `${CACHE_KEY_PREFIX}{${parts.tenantId}}:${CACHE_FORMAT_VERSION}:idem:${digest}`;
}
