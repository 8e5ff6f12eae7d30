import { createHash } from 'node:crypto';
import { BadUserInputError, GatewayError, GatewayErrorCode } from './errors.js';

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
 * The record store never throws; during a cache outage a keyed mutation runs
 * as if it had no key (logged by the store), rather than failing.
 */

/**
 * The port to where records are kept (src/cache/idempotency-store.ts keeps them
 * in the cache store). Never throws: a fault reads as no record, and a claim
 * made during one succeeds, so the call runs as if it had no key.
 */
export interface IdempotencyStore {
  /** Where a tenant's key is recorded. */
  recordKey(tenantId: string, key: string): string;
  /** Stores the record only when there is none; true when this call stored it. */
  claim(recordKey: string, value: string, ttlSeconds: number): Promise<boolean>;
  read(recordKey: string): Promise<string | undefined>;
  write(recordKey: string, value: string, ttlSeconds: number): Promise<void>;
  drop(recordKey: string): Promise<void>;
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
export type IdempotentOutcome<T> = { readonly kind: 'result'; readonly value: T } | { readonly kind: 'key-reused' };

/** Bound to one request: its tenant and its `Idempotency-Key` header. */
export interface IdempotencyGuard {
  run<T>(call: IdempotentCall, execute: () => Promise<T>): Promise<IdempotentOutcome<T>>;
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

interface StoredRecord {
  readonly fingerprint: string;
  readonly state: 'pending' | 'done';
  readonly result?: unknown;
}

/** Keys: 1-255 visible ASCII characters (what the IETF Idempotency-Key draft and Stripe accept). */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createIdempotency(store: IdempotencyStore, options: IdempotencyOptions): Idempotency {
  const claimSeconds = options.claimSeconds ?? 120;
  const pollMs = options.pollMs ?? 50;
  const now = options.now ?? Date.now;
  /** Calls this instance is running, by record key: local duplicates await them instead of polling. */
  const running = new Map<string, { fingerprint: string; promise: Promise<unknown> }>();

  async function runKeyed<T>(
    recordKey: string,
    fingerprint: string,
    execute: () => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    const deadline = now() + options.waitMs;
    for (;;) {
      const local = running.get(recordKey);
      if (local) {
        if (local.fingerprint !== fingerprint) return { kind: 'key-reused' };
        return { kind: 'result', value: (await local.promise) as T };
      }
      const pending: StoredRecord = { fingerprint, state: 'pending' };
      const claimed = await store.claim(recordKey, JSON.stringify(pending), claimSeconds);
      if (claimed) return { kind: 'result', value: await runClaimed(recordKey, fingerprint, execute) };
      const record = parseRecord(await store.read(recordKey));
      if (record) {
        if (record.fingerprint !== fingerprint) return { kind: 'key-reused' };
        if (record.state === 'done') return { kind: 'result', value: record.result as T };
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
        await store.write(recordKey, JSON.stringify(done), options.ttlSeconds);
        return value;
      } catch (error) {
        await store.drop(recordKey);
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
    return typeof parsed.fingerprint === 'string' && (parsed.state === 'pending' || parsed.state === 'done')
      ? parsed
      : null;
  } catch {
    return null;
  }
}
