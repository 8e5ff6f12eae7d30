import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PersistedQueryOptions } from '@apollo/server';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import type { CacheStore } from '../cache/cache-store.js';
import { persistedQueryKey } from '../cache/keys.js';
import type { Config } from '../config/config.js';
import { loadTypeDefs } from './apollo.js';

/**
 * Persisted operations, two modes (config `persistedOperations.mode`):
 *
 * - `apq` (default): Apollo's automatic persisted queries, registered in the
 *   gateway's CacheStore, so with Redis every instance knows every hash. A
 *   client sends the SHA-256 of its query; on PERSISTED_QUERY_NOT_FOUND it
 *   sends hash and query once, and the hash alone afterwards.
 * - `safelist` (production): only the operations of the configured manifests
 *   run. A request names one by hash (`documentId: "sha256:<hex>"` as in
 *   GraphQL over HTTP's persisted documents, or APQ's
 *   `extensions.persistedQuery.sha256Hash`), or sends a manifest operation's
 *   exact text; anything else is refused before Apollo parses it, with HTTP 400
 *   and `extensions.code` OPERATION_NOT_SAFELISTED.
 */

export const OPERATION_NOT_SAFELISTED = 'OPERATION_NOT_SAFELISTED';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Apollo's APQ cache over our CacheStore (Apollo prefixes its keys with `apq:`). A cache fault is a miss. */
function createPersistedQueryCache(store: CacheStore, defaultTtlSeconds: number): PersistedQueryOptions['cache'] {
  // Only well-formed hashes reach the store: a client-chosen string never becomes a Redis key.
  const keyOf = (apolloKey: string) => {
    const hash = apolloKey.replace(/^apq:/, '');
    return SHA256_HEX.test(hash) ? persistedQueryKey(hash) : null;
  };
  return {
    async get(apolloKey) {
      const key = keyOf(apolloKey);
      return key ? (await store.getMany([key]))[0] : undefined;
    },
    async set(apolloKey, query, options) {
      const key = keyOf(apolloKey);
      if (key) await store.setMany([{ key, value: query, ttlSeconds: options?.ttl ?? defaultTtlSeconds }]);
    },
    async delete(apolloKey) {
      const key = keyOf(apolloKey);
      if (key) await store.deleteMany([key]);
    },
  };
}

/** What the HTTP layer hands over before Apollo: the parsed POST body or the GET query string. */
export interface OperationRequest {
  readonly method: string;
  readonly body: unknown;
  readonly search: string;
}

type Admission =
  | { readonly ok: true; readonly body: unknown; readonly search: string }
  | { readonly ok: false; readonly status: 400; readonly code: string; readonly message: string };

export type OperationGate = (request: OperationRequest) => Admission;

/** A manifest operation's text by its SHA-256 (hex). */
type OperationManifest = ReadonlyMap<string, string>;

/**
 * Reads manifests ({ "sha256:<hex>": document }) and checks every entry at
 * start-up: the hash must be the document's SHA-256, and the document must
 * validate against the served schema, so a stale manifest fails fast instead
 * of failing each request.
 */
function loadOperationManifests(
  paths: readonly string[],
  schema: GraphQLSchema = buildSchema(loadTypeDefs()),
): OperationManifest {
  const operations = new Map<string, string>();
  const problems: string[] = [];
  for (const path of paths) {
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      problems.push(`${path}: cannot read a JSON manifest (${(error as Error).message})`);
      continue;
    }
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      problems.push(`${path}: must hold an object of "sha256:<hex>": document`);
      continue;
    }
    for (const [id, document] of Object.entries(entries)) {
      const hash = id.replace(/^sha256:/, '');
      if (typeof document !== 'string' || sha256Hex(document) !== hash) {
        problems.push(`${path}: ${id} is not the SHA-256 of its document`);
        continue;
      }
      try {
        const errors = validate(schema, parse(document));
        if (errors.length > 0) problems.push(`${path}: ${id} does not validate: ${errors[0]!.message}`);
        else operations.set(hash, document);
      } catch (error) {
        problems.push(`${path}: ${id} does not parse: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid operation manifests:\n  - ${problems.join('\n  - ')}`);
  return operations;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const refuse = (message: string): Admission => ({ ok: false, status: 400, code: OPERATION_NOT_SAFELISTED, message });

/** Private: the hash a request names, from documentId or the APQ extension, as lowercase hex. */
function requestedHash(documentId: unknown, extensions: unknown): string | undefined {
  if (typeof documentId === 'string') return documentId.replace(/^sha256:/, '').toLowerCase();
  const persisted = isObject(extensions) ? extensions.persistedQuery : undefined;
  return isObject(persisted) && typeof persisted.sha256Hash === 'string'
    ? persisted.sha256Hash.toLowerCase()
    : undefined;
}

const withoutPersistedQuery = (extensions: unknown) => {
  if (!isObject(extensions)) return undefined;
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
};

/** Safelist mode's gate: resolves hashes to manifest documents and refuses every other operation. */
function createSafelistGate(manifest: OperationManifest): OperationGate {
  const HOW =
    'send a safelisted operation by its hash (documentId "sha256:<hex>" or extensions.persistedQuery.sha256Hash)';
  return ({ method, body, search }) => {
    if (method === 'POST') {
      if (!isObject(body)) return refuse(`This gateway runs only safelisted operations: ${HOW}.`);
      const hash = requestedHash(body.documentId, body.extensions);
      if (hash !== undefined) {
        const query = manifest.get(hash);
        if (query === undefined) return refuse(`No safelisted operation has the hash ${hash.slice(0, 64)}.`);
        const { documentId: _documentId, extensions, ...rest } = body;
        const kept = withoutPersistedQuery(extensions);
        return { ok: true, search, body: { ...rest, query, ...(kept && { extensions: kept }) } };
      }
      if (typeof body.query === 'string' && !manifest.has(sha256Hex(body.query))) {
        return refuse(`This gateway runs only safelisted operations; this one is not in the manifest: ${HOW}.`);
      }
      return { ok: true, body, search };
    }
    const params = new URLSearchParams(search);
    let extensions: unknown;
    try {
      extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
    } catch {
      return refuse('The extensions parameter is not valid JSON.');
    }
    const hash = requestedHash(params.get('documentId') ?? undefined, extensions);
    if (hash !== undefined) {
      const query = manifest.get(hash);
      if (query === undefined) return refuse(`No safelisted operation has the hash ${hash.slice(0, 64)}.`);
      params.delete('documentId');
      params.set('query', query);
      const kept = withoutPersistedQuery(extensions);
      if (kept) params.set('extensions', JSON.stringify(kept));
      else params.delete('extensions');
      return { ok: true, body, search: `?${params.toString()}` };
    }
    const query = params.get('query');
    if (query !== null && !manifest.has(sha256Hex(query))) {
      return refuse(`This gateway runs only safelisted operations; this one is not in the manifest: ${HOW}.`);
    }
    return { ok: true, body, search };
  };
}

/** What app.ts wires: Apollo's APQ options, and the HTTP layer's gate in safelist mode. */
export function createPersistedOperations(
  config: Config['persistedOperations'],
  cache: CacheStore,
): { apollo: PersistedQueryOptions | false; gate: OperationGate | undefined; safelisted: number } {
  if (config.mode === 'safelist') {
    const manifest = loadOperationManifests(config.manifests);
    return { apollo: false, gate: createSafelistGate(manifest), safelisted: manifest.size };
  }
  return {
    apollo: { cache: createPersistedQueryCache(cache, config.apqTtlSeconds), ttl: config.apqTtlSeconds },
    gate: undefined,
    safelisted: 0,
  };
}
