import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { CacheStore } from '../cache/cache-store.js';
import { boundedMemo } from '../domain/bounded-memo.js';
import { responseKey, sha256 } from '../cache/keys.js';
import type { Vendor } from '../domain/models.js';
import type { Generation, ReadGenerations } from '../loaders/read-generations.js';
import { createSingleFlight } from '../loaders/single-flight.js';
import type { Logger } from '../observability/logger.js';
import type { ReadLedger } from '../request/read-ledger.js';

/**
 * Whole query responses, cached: a repeated query (same tenant, same caller
 * credentials, same document, variables and Accept header) is answered from
 * one cache round trip, without parsing, validating or executing GraphQL.
 *
 * A response is only as fresh as the reads it was built from. Each stored
 * response records, per vendor, the generation its reads were made under
 * (ReadLedger) and lives no longer than the first of those reads expires.
 * The lookup fetches the response and the tenant's current generations in one
 * MGET (one hash tag): a write to any vendor the response read from replaces
 * that vendor's generation, and the response is a miss from then on, on every
 * instance. Only complete answers without errors to `query` operations whose
 * every read was cacheable are stored; mutations and partial results never are.
 *
 * Only JSON POSTs of one operation are looked up: GET requests (and batches)
 * always go through Apollo, whose CSRF prevention and GET rules stay in force.
 */

export interface CacheableRequest {
  readonly tenantId: string;
  /** The tenant's configuration: an answer is only valid for the organizations and vendors it was built with. */
  readonly tenantConfig: object;
  /** Fingerprints of forwarded user credentials ('' when none): answers built with a user's token are that user's. */
  readonly credentialScope: string;
  readonly accept: string;
  /** The parsed JSON body of the POST. */
  readonly body: unknown;
  /** The body's text, when `body` is its JSON parse: the key is remembered by it, so a repeat skips the digest. */
  readonly bodyText?: string | undefined;
}

/** A response as the client receives it. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** As sent: a string when stored, its UTF-8 bytes when looked up (encoded once per record, not once per hit). */
  readonly body: string | Buffer;
  readonly operationName: string | null;
  /** The operation's cost, spent from the rate limits again on each hit. */
  readonly cost?: number;
}

/** A looked-up answer: made once per stored record and shared by its hits, so never to be changed. */
export interface CacheHit extends CachedResponse {
  readonly body: Buffer;
  /** `headers` and the body's length, as the object res.writeHead takes. */
  readonly headerFields: Readonly<Record<string, string>>;
}

/**
 * A stored answer is one line of JSON (everything but the body), a newline,
 * then the body as sent: a hit parses a few hundred bytes instead of the body
 * escaped inside a JSON string (JSON never holds a raw newline, so the first
 * one ends the line).
 */
const RECORD_FORMAT = 2;
interface StoredHead extends Omit<CachedResponse, 'body'> {
  readonly format: typeof RECORD_FORMAT;
  /** Per vendor read from: the generation of the tenant's reads the response was built under. */
  readonly generations: Readonly<Partial<Record<Vendor, string>>>;
}

/** What a stored head must parse as: anything else (another format, fields missing, `null`) is a corrupt record, a miss. */
const storedHeadSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  generations: z.record(z.string(), z.string()),
  status: z.number().int().min(100).max(599),
  headers: z.array(z.tuple([z.string(), z.string()])),
  operationName: z.string().nullable(),
  cost: z.number().min(0).optional(),
});

/** Records kept parsed, in characters of their text plus bytes of their body (the most recently parsed ones). */
const PARSED_SIZE = 8 * 1024 * 1024;
/** Larger answers are not worth a cache slot (and would crowd out the reads). */
const MAX_CACHED_BODY_CHARS = 256 * 1024;
/** Keys remembered by request text (digest, Accept, credentials, body), a bounded few: forgotten all at once when full. */
const MAX_REMEMBERED_KEYS = 1024;
/** Longer bodies are keyed afresh each time (a remembered text is kept whole). */
const MAX_REMEMBERED_TEXT = 2048;
/** A document that may hold a mutation is never looked up (it would only ever miss); a hint, not a rule: store() checks. */
const MAY_BE_MUTATION = /(?:^|[^\w$])mutation\b/;

/** The answer being made by the first request that missed a key, for identical requests that miss meanwhile. */
export interface AnswerFlight {
  /**
   * Hands the answer to the requests waiting for it, with the reads it was made from; undefined (an error, a
   * mutation, anything not to store) sends them to run the operation themselves. Must be called; only once counts.
   */
  land(answer: CachedResponse | undefined, ledger?: ReadLedger): void;
}

/**
 * What a request that may have a cached answer does: send the `hit`; wait for an identical request running now
 * (`shared`: its answer, or undefined when it does not fit what this request's lookup saw, so run it); or run it
 * and land the flight it `leads` for the identical requests that come meanwhile.
 */
export type CachedAnswer =
  | { readonly hit: CacheHit }
  | { readonly shared: Promise<CacheHit | undefined> }
  | { readonly leads: AnswerFlight | undefined };

export interface ResponseCache {
  /** The cache key of a request that may have a cached answer, or undefined when it cannot. */
  keyOf(request: CacheableRequest): string | undefined;
  /** The cached answer, when there is one and every vendor it read from is unchanged since. */
  lookup(key: string, tenantId: string, vendors: readonly Vendor[]): Promise<CacheHit | undefined>;
  /**
   * The lookup, and on a miss one run per key at a time: without it, a popular answer that expired (or could not
   * be stored) was made again by every request until one was stored, and those runs slowed the store past its
   * deadline, so under load it stayed uncached. A waiting request takes the answer only when every vendor it read
   * from has the generation this request's own lookup saw: what a hit stored by the first would have required.
   */
  answerOrShare(key: string, tenantId: string, vendors: readonly Vendor[]): Promise<CachedAnswer>;
  /** Stores an answer when the ledger of its reads allows; true when stored. */
  store(key: string, response: CachedResponse, ledger: ReadLedger): Promise<boolean>;
}

export function createResponseCache(deps: {
  cache: CacheStore;
  generations: ReadGenerations;
  logger: Logger;
  /** What this deployment's answers depend on beyond the request (schema, operation limits): another is a miss. */
  deployment: string;
  /** The clock read expiries are compared with. @default Date.now */
  now?: () => number;
  /** Told of each stored record that did not parse: answered as a miss, so the fresh answer overwrites it. */
  onCorruptRecord?: () => void;
}): ResponseCache {
  const now = deps.now ?? Date.now;
  // The last record parsed per key: a near-cached record comes back as the same string, and is parsed once.
  const parsed = new LRUCache<string, ParsedRecord>({
    maxSize: PARSED_SIZE,
    sizeCalculation: (entry) => Math.max(1, entry.raw.length + entry.hit.body.length),
  });
  const parse = (key: string, raw: string): ParsedRecord | undefined => {
    const known = parsed.get(key);
    if (known?.raw === raw) return known;
    const newline = raw.indexOf('\n');
    const record = newline < 0 ? undefined : parseHead(raw.slice(0, newline));
    if (!record) return undefined;
    const entry = parsedRecord(raw, record, Buffer.from(raw.slice(newline + 1)));
    parsed.set(key, entry);
    return entry;
  };
  // Computed once per configuration object (Secrets serialize as "[redacted]": credentials do not shape answers).
  const configDigests = new WeakMap<object, string>();
  const configDigest = (config: object) => {
    let digest = configDigests.get(config);
    if (digest === undefined) {
      digest = sha256(JSON.stringify(config));
      configDigests.set(config, digest);
    }
    return digest;
  };
  /** The current answer for the key, if any, and the tenant's generations as the lookup saw them (none if it failed). */
  const lookUp = (
    key: string,
    tenantId: string,
    vendors: readonly Vendor[],
  ): Promise<{ readonly hit?: CacheHit; readonly seen?: ReadonlyMap<Vendor, Generation> }> =>
    // Handlers rather than awaits: a near-kept answer is sent one promise hop after the lookup starts.
    safely(() => deps.generations.lookup(tenantId, vendors, [key]), undefined).then((found) => {
      if (!found) return {};
      const { generations, values } = found;
      const raw = values[0];
      if (raw === undefined) return { seen: generations };
      const entry = parse(key, raw);
      if (!entry) {
        deps.logger.warn({ key }, 'response cache record does not parse; answering as a miss and overwriting it');
        deps.onCorruptRecord?.();
        return { seen: generations };
      }
      return builtUnder(entry.generations, generations) ? entry : { seen: generations };
    });

  // The runs in progress, one per key; the flight ends when its answer lands (a promise settles once).
  const flights = createSingleFlight();
  const lead = (key: string): AnswerFlight => {
    let settle: (answer: SharedAnswer | undefined) => void = () => undefined;
    flights.join(key, () => new Promise<SharedAnswer | undefined>((resolve) => (settle = resolve)));
    return {
      land: (answer, ledger) =>
        settle(answer && ledger && storable(answer, ledger) ? sharedAnswer(answer, ledger) : undefined),
    };
  };
  /** What store() requires of an answer, but Redis taking it. */
  const storable = (answer: CachedResponse, ledger: ReadLedger) =>
    ledger.cacheable &&
    ledger.reads > 0 &&
    answer.body.length <= MAX_CACHED_BODY_CHARS &&
    ledger.expiresAt - now() >= 1000;
  const fits = (answer: SharedAnswer, seen: ReadonlyMap<Vendor, Generation>) =>
    answer.expiresAt > now() && builtUnder(answer.generations, seen);

  // Stores never throw by contract; this cache is an optimisation, so even one that does only costs the shortcut.
  const safely = <T>(work: () => Promise<T>, fallback: T): Promise<T> => {
    const unavailable = (error: unknown) => {
      deps.logger.warn({ err: error }, 'response cache unavailable; answering without it');
      return fallback;
    };
    try {
      return work().catch(unavailable);
    } catch (error) {
      return Promise.resolve(unavailable(error));
    }
  };
  // Keys by everything they are made from, as text: a repeated request costs a Map lookup instead of a stringify and a hash.
  const keysByText = boundedMemo<string, string | undefined>(MAX_REMEMBERED_KEYS);
  const keyOf = ({ tenantId, tenantConfig, credentialScope, accept, body }: CacheableRequest) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const { query, operationName, variables, extensions } = body as Record<string, unknown>;
    const persistedHash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
      ?.sha256Hash;
    if (typeof query === 'string' ? MAY_BE_MUTATION.test(query) : typeof persistedHash !== 'string') return undefined;
    return responseKey(tenantId, [
      JSON.stringify([query ?? null, operationName ?? null, variables ?? null, extensions ?? null]),
      accept,
      credentialScope,
      configDigest(tenantConfig),
      deps.deployment,
    ]);
  };
  return {
    keyOf(request) {
      const text = request.bodyText;
      if (text === undefined || text.length > MAX_REMEMBERED_TEXT) return keyOf(request);
      // Header values and the other parts hold no newline; the tenant id is length-prefixed, the body comes last.
      const { tenantId, tenantConfig, credentialScope, accept } = request;
      const known = `${configDigest(tenantConfig)}\n${tenantId.length}:${tenantId}\n${accept}\n${credentialScope}\n${text}`;
      return keysByText(known, () => keyOf(request));
    },

    lookup: (key, tenantId, vendors) => lookUp(key, tenantId, vendors).then((found) => found.hit),

    answerOrShare(key, tenantId, vendors) {
      return lookUp(key, tenantId, vendors).then(({ hit, seen }): CachedAnswer => {
        if (hit) return { hit };
        const running = flights.running<SharedAnswer | undefined>(key);
        if (!running) return { leads: seen ? lead(key) : undefined };
        if (seen && ![...seen.values()].some((generation) => generation.isNew)) {
          const stored = seen;
          return { shared: running.then((answer) => (answer && fits(answer, stored) ? answer.hit : undefined)) };
        }
        // Generations made up (a lookup that did not answer in time makes them up too): nothing to hold the answer
        // to, so wait for the run and look again. Running at once instead kept a loaded gateway's lookups late.
        return { shared: running.then(() => lookUp(key, tenantId, vendors)).then((again) => again.hit) };
      });
    },

    async store(key, response, ledger) {
      if (!storable(response, ledger)) return false;
      const ttlSeconds = Math.floor((ledger.expiresAt - now()) / 1000);
      const { body, ...rest } = response;
      const head: StoredHead = { format: RECORD_FORMAT, generations: Object.fromEntries(ledger.generations), ...rest };
      const value = `${JSON.stringify(head)}\n${body}`;
      return safely(() => deps.cache.setMany([{ key, value, ttlSeconds }]), false);
    },
  };
}

/** An answer one request made, as the identical requests that waited for it take it. */
interface SharedAnswer {
  readonly hit: CacheHit;
  readonly generations: readonly (readonly [Vendor, string])[];
  readonly expiresAt: number;
}

function sharedAnswer(answer: CachedResponse, ledger: ReadLedger): SharedAnswer {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  return { hit: cacheHit(answer, body), generations: [...ledger.generations], expiresAt: ledger.expiresAt };
}

/** Private: an answer as its hits send it, made once and shared by all of them. */
function cacheHit({ status, headers, operationName, cost }: Omit<CachedResponse, 'body'>, body: Buffer): CacheHit {
  return Object.freeze({
    status,
    headers,
    // With its length the answer goes out whole; without, node frames it in chunks, which the client must undo.
    headerFields: Object.freeze({ ...Object.fromEntries(headers), 'content-length': String(body.length) }),
    body,
    operationName,
    ...(cost !== undefined && { cost }),
  });
}

/**
 * Private: whether an answer read under `generations` is current by what a lookup `seen`: every vendor it read
 * from still configured, unchanged since (no write), with no write this instance could not record pending, and
 * its generation stored rather than made up (a lookup that failed makes one up, and cannot tell a write before it).
 */
function builtUnder(
  generations: readonly (readonly [Vendor, string])[],
  seen: ReadonlyMap<Vendor, Generation>,
): boolean {
  return generations.every(([vendor, token]) => {
    const now = seen.get(vendor);
    return now !== undefined && now.trusted && !now.isNew && now.token === token;
  });
}

/** A stored record as its hits use it, worked out once per record. */
interface ParsedRecord {
  readonly raw: string;
  readonly generations: readonly (readonly [Vendor, string])[];
  readonly hit: CacheHit;
}

function parsedRecord(raw: string, record: StoredHead, body: Buffer): ParsedRecord {
  return { raw, generations: Object.entries(record.generations) as [Vendor, string][], hit: cacheHit(record, body) };
}

/** Private: the stored head, or undefined when it is not JSON or not of the current format with every field. */
function parseHead(line: string): StoredHead | undefined {
  try {
    const checked = storedHeadSchema.safeParse(JSON.parse(line));
    return checked.success ? (checked.data as StoredHead) : undefined;
  } catch {
    return undefined;
  }
}
