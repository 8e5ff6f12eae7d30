import { createHash } from 'node:crypto';
import { BadUserInputError, GatewayError, GatewayErrorCode } from './errors.js';
import { OutcomeUnknownError } from './unknown-outcome.js';

/**
 * Idempotent mutations. A mutation called with an idempotency key runs at most
 * once per tenant and key: its first result is kept in the cache store (Redis
 * when configured, so every instance sees it) for `ttlSeconds`, and a retry with
 * the same key and the same input gets that result back without a vendor call.
 * The same key with a different input is refused (IDEMPOTENCY_KEY_REUSED).
 *
 * Concurrent duplicates: the first caller claims the key with SET NX (a
 * "pending" record with a short TTL, so a crashed instance frees it); the
 * others wait for its result — in-process through the caller's own promise,
 * across instances by polling the record — and make no vendor call.
 *
 * Only results are kept, never failures: when the mutation throws (a vendor is
 * down), the claim is dropped and a retry runs the mutation again.
 *
 * Fail closed: a keyed call whose record cannot be claimed or read (Redis
 * down, refusing writes, too slow) is refused with the retryable
 * IDEMPOTENCY_UNAVAILABLE before anything is called, because running it
 * unguarded could repeat a destructive call. A result that could not be
 * written is kept in this instance meanwhile. Unkeyed calls never touch the store.
 */

/**
 * The port to where records are kept (src/cache/idempotency-store.ts keeps them
 * in the cache store). Never throws: a fault is reported as such
 * ('unavailable', false), never as a claim or a miss.
 */
export interface IdempotencyStore {
  /** Where a tenant's key is recorded. */
  recordKey(tenantId: string, key: string): string;
  /** Stores the record only when there is none. */
  claim(recordKey: string, value: string, ttlSeconds: number): Promise<'claimed' | 'taken' | 'unavailable'>;
  read(recordKey: string): Promise<{ readonly value: string | undefined } | 'unavailable'>;
  /** False when a fault kept the record from being stored. */
  write(recordKey: string, value: string, ttlSeconds: number): Promise<boolean>;
  drop(recordKey: string): Promise<boolean>;
}

export interface IdempotencyOptions {
  /** How long a first result is kept. */
  readonly ttlSeconds: number;
  /** How long a duplicate waits for the first call before giving up with IDEMPOTENCY_IN_PROGRESS. */
  readonly waitMs: number;
  /** Lifetime of a claim whose owner never finishes (crash); a later retry may then run. @default 120 */
  readonly claimSeconds?: number;
  /** Poll interval while another instance holds the claim. @default 50 */
  readonly pollMs?: number;
  /** The clock `waitMs` is measured on (milliseconds); tests pass one they move. @default Date.now */
  readonly now?: () => number;
  /** The `retryAfter` (seconds) of IDEMPOTENCY_UNAVAILABLE. @default 5 */
  readonly unavailableRetryAfterSeconds?: number;
}

/** One keyed call, as a resolver sees it. */
export interface IdempotentCall {
  /** The mutation field (`deleteConnection`): the same key on another mutation counts as a different input. */
  readonly operation: string;
  /** The field's response key (its alias): separates several mutations sharing one `Idempotency-Key` header. */
  readonly responseKey: string;
  /** The `idempotencyKey` argument; it takes precedence over the header. */
  readonly argumentKey: string | null | undefined;
  /** The mutation input; `idempotencyKey` itself is not part of its fingerprint. */
  readonly input: Readonly<Record<string, unknown>>;
}

/** What a keyed run produced: a result (first or replayed), or a key used before with another input. */
type IdempotentOutcome<T> = { readonly kind: 'result'; readonly value: T } | { readonly kind: 'key-reused' };

/** Bound to one request: its tenant and its `Idempotency-Key` header. */
export interface IdempotencyGuard {
  /** `execute` gets `previous` when an earlier call under the key ended with an unknown outcome (settle it first). */
  run<T>(
    call: IdempotentCall,
    execute: (previous?: { readonly ifApplied: unknown }) => Promise<T>,
  ): Promise<IdempotentOutcome<T>>;
}

export interface Idempotency {
  forRequest(tenantId: string, headerKey: string | undefined): IdempotencyGuard;
}

/** A duplicate waited longer than `waitMs` for the first call; retrying later is safe. */
export class IdempotencyInProgressError extends GatewayError {
  constructor() {
    super(
      'A request with this idempotency key is still in progress; retry later',
      GatewayErrorCode.IDEMPOTENCY_IN_PROGRESS,
      { retryAfter: 1 },
    );
  }
}

/** The key store cannot be reached or written: nothing was called, and the same request may be retried. */
export class IdempotencyUnavailableError extends GatewayError {
  constructor(retryAfter: number) {
    super(
      'The idempotency key cannot be recorded right now, so the mutation was not run; retry with the same key later',
      GatewayErrorCode.IDEMPOTENCY_UNAVAILABLE,
      { retryAfter },
    );
  }
}

/** Results this instance could not write, kept at most this many (oldest dropped first). */
const MAX_UNRECORDED = 1_000;

interface StoredRecord {
  readonly fingerprint: string;
  /** `unknown`: the call's outcome could not be settled; `result` is its answer if it was applied. */
  readonly state: 'pending' | 'done' | 'unknown';
  readonly result?: unknown;
}

/** Keys: 1-255 visible ASCII characters (what the IETF Idempotency-Key draft and Stripe accept). */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createIdempotency(store: IdempotencyStore, options: IdempotencyOptions): Idempotency {
  const claimSeconds = options.claimSeconds ?? 120;
  const pollMs = options.pollMs ?? 50;
  const now = options.now ?? Date.now;
  const unavailable = () => new IdempotencyUnavailableError(options.unavailableRetryAfterSeconds ?? 5);
  /** Results whose record could not be written, by record key: answered from here, written once the store takes it. */
  const unrecorded = new Map<string, { record: StoredRecord; expiresAt: number }>();

  /** Private: a result this instance holds because the store refused it; null when there is none. */
  async function unrecordedResult(recordKey: string): Promise<StoredRecord | null> {
    const kept = unrecorded.get(recordKey);
    if (!kept) return null;
    if (kept.expiresAt <= now()) return (void unrecorded.delete(recordKey), null);
    const seconds = Math.ceil((kept.expiresAt - now()) / 1000);
    if (await store.write(recordKey, JSON.stringify(kept.record), seconds)) unrecorded.delete(recordKey);
    return kept.record;
  }
  /** Calls this instance is running, by record key: local duplicates await them instead of polling. */
  const running = new Map<string, { fingerprint: string; promise: Promise<unknown> }>();

  async function runKeyed<T>(
    recordKey: string,
    fingerprint: string,
    execute: (previous?: { readonly ifApplied: unknown }) => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    const deadline = now() + options.waitMs;
    for (;;) {
      const local = running.get(recordKey);
      if (local) {
        if (local.fingerprint !== fingerprint) return { kind: 'key-reused' };
        return { kind: 'result', value: (await local.promise) as T };
      }
      const kept = await unrecordedResult(recordKey);
      if (kept) {
        if (kept.fingerprint !== fingerprint) return { kind: 'key-reused' };
        return { kind: 'result', value: kept.result as T };
      }
      const pending: StoredRecord = { fingerprint, state: 'pending' };
      const claim = await store.claim(recordKey, JSON.stringify(pending), claimSeconds);
      if (claim === 'unavailable') throw unavailable();
      if (claim === 'claimed') return { kind: 'result', value: await runClaimed(recordKey, fingerprint, execute) };
      const stored = await store.read(recordKey);
      if (stored === 'unavailable') throw unavailable();
      const record = parseRecord(stored.value);
      if (record) {
        if (record.fingerprint !== fingerprint) return { kind: 'key-reused' };
        if (record.state === 'done') return { kind: 'result', value: record.result as T };
        if (record.state === 'unknown') {
          // Settled first by the mutation; the record is this call's again until it finishes.
          const previous = { ifApplied: record.result };
          const pending: StoredRecord = { fingerprint, state: 'pending', result: record.result };
          if (!(await store.write(recordKey, JSON.stringify(pending), claimSeconds))) throw unavailable();
          return { kind: 'result', value: await runClaimed(recordKey, fingerprint, () => execute(previous)) };
        }
      }
      // Pending elsewhere, or gone between our two calls (its owner failed): wait, then look again.
      if (now() >= deadline) throw new IdempotencyInProgressError();
      await sleep(pollMs);
    }
  }

  async function runClaimed<T>(recordKey: string, fingerprint: string, execute: () => Promise<T>): Promise<T> {
    const promise = (async () => {
      try {
        const value = await execute();
        const done: StoredRecord = { fingerprint, state: 'done', result: value };
        if (!(await store.write(recordKey, JSON.stringify(done), options.ttlSeconds))) {
          // Done, but not recorded: this instance answers retries from memory until the store takes it.
          if (unrecorded.size >= MAX_UNRECORDED) unrecorded.delete(unrecorded.keys().next().value!);
          unrecorded.set(recordKey, { record: done, expiresAt: now() + options.ttlSeconds * 1000 });
        }
        return value;
      } catch (error) {
        if (error instanceof OutcomeUnknownError) {
          // Kept, so a retry under this key settles the outcome instead of sending the call again.
          const unknown: StoredRecord = { fingerprint, state: 'unknown', result: error.ifApplied };
          await store.write(recordKey, JSON.stringify(unknown), options.ttlSeconds);
        } else await store.drop(recordKey);
        throw error;
      }
    })();
    running.set(recordKey, { fingerprint, promise });
    try {
      return await promise;
    } finally {
      running.delete(recordKey);
    }
  }

  return {
    forRequest(tenantId, headerKey) {
      return {
        async run(call, execute) {
          const fromArgument = call.argumentKey != null;
          const key = fromArgument ? call.argumentKey! : headerKey;
          if (key === undefined) return { kind: 'result', value: await execute() };
          if (!KEY_FORMAT.test(key)) {
            throw new BadUserInputError(
              fromArgument
                ? 'Argument "input.idempotencyKey" must be 1-255 visible ASCII characters'
                : 'The Idempotency-Key header must be 1-255 visible ASCII characters',
              fromArgument ? { argumentName: 'input.idempotencyKey' } : {},
            );
          }
          // A header key covers every mutation field of the request, each under its own response key.
          const scopedKey = fromArgument ? `argument:${key}` : `header:${key}:${call.responseKey}`;
          const recordKey = store.recordKey(tenantId, scopedKey);
          return runKeyed(recordKey, fingerprintOf(call), execute);
        },
      };
    },
  };
}

/** Private: a stable digest of the operation and its input, without the key itself and without nulls. */
function fingerprintOf(call: IdempotentCall): string {
  const { idempotencyKey: _key, ...input } = call.input;
  return createHash('sha256')
    .update(JSON.stringify([call.operation, canonical(input)]))
    .digest('base64url');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

function parseRecord(raw: string | undefined): StoredRecord | null {
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as StoredRecord;
    return typeof parsed.fingerprint === 'string' &&
      (parsed.state === 'pending' || parsed.state === 'done' || parsed.state === 'unknown')
      ? parsed
      : null;
  } catch {
    return null;
  }
}
