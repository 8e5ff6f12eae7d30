import type { Logger } from '../observability/logger.js';
import { BadUserInputError, ForbiddenError, GatewayError, GatewayErrorCode } from './errors.js';

/**
 * The audit trail: every mutation (real or dry run, with its outcome), every
 * refused request (401, 403, 429, an ID of an organization the tenant does not
 * have) and every admin change, as one entry in the structured log and in an
 * append-only store (src/cache/audit-store.ts: a Redis Stream, or bounded
 * memory). Recording never slows or fails a request: the store write is fired
 * and forgotten, at most `maxPending` at a time; a write that fails or finds the
 * buffer full is counted and logged, and the log line is there anyway.
 */

export type AuditKind = 'MUTATION' | 'REFUSAL' | 'NOT_FOUND' | 'ADMIN';

/** What one entry records. Never a credential: the actor is a key id or a JWT subject. */
export interface AuditEvent {
  /** ISO 8601, from the gateway's clock. */
  readonly time: string;
  /** null: a refusal no tenant could be named for (an unknown API key). */
  readonly tenant: string | null;
  /** `key:<id>` or `jwt:<sub>`; null when the caller was not authenticated. */
  readonly actor: string | null;
  readonly kind: AuditKind;
  /** The mutation field, or the GraphQL operation name of a refused request, when known. */
  readonly operation: string | null;
  /** Global IDs the request named. */
  readonly targetIds: readonly string[];
  readonly dryRun: boolean;
  readonly idempotencyKey: string | null;
  /** APPLIED, NOT_APPLIED or UNKNOWN for mutations; REFUSED for refusals and unknown IDs. */
  readonly outcome: 'APPLIED' | 'NOT_APPLIED' | 'UNKNOWN' | 'REFUSED';
  /** Why: a userError or error code (`NOT_FOUND`, `FORBIDDEN`, `RATE_LIMITED`…); null for a success. */
  readonly code: string | null;
  /** The HTTP status of a refusal; null otherwise. */
  readonly httpStatus: number | null;
  readonly requestId: string;
}

/** An entry as stored: its id orders the log and is the pagination cursor. */
export interface AuditEntryModel extends AuditEvent {
  readonly id: string;
}

export interface AuditFilter {
  readonly kinds?: readonly AuditKind[] | null | undefined;
  readonly actor?: string | null | undefined;
  readonly operation?: string | null | undefined;
  readonly targetId?: string | null | undefined;
  /** Entries at or after this time (ISO 8601). */
  readonly since?: string | null | undefined;
  /** Entries before this time (ISO 8601). */
  readonly until?: string | null | undefined;
}

export interface AuditEntryListModel {
  /** Newest first. */
  readonly nodes: readonly AuditEntryModel[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/** Where refusals no tenant could be named for are kept (tenant ids never contain parentheses). */
export const GATEWAY_PARTITION = '(gateway)';

/**
 * The port to the append-only store, one log per partition (a tenant id, or
 * GATEWAY_PARTITION). `append` may reject; the trail counts it. `read` returns
 * the entries after the cursor `after` (older ones), newest first, that match.
 */
export interface AuditStore {
  append(partition: string, event: AuditEvent): Promise<void>;
  read(
    partition: string,
    query: { filter: AuditFilter; first: number; after: string | null },
  ): Promise<AuditEntryListModel>;
  close(): Promise<void>;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly logger: Logger;
  /** Store writes in flight at once; beyond, entries are dropped from the store (not from the log) and counted. */
  readonly maxPending?: number;
  /** Shortest time between two "audit store write failed" log lines. @default 10000 */
  readonly faultLogIntervalMs?: number;
  /** Tenants whose admins also read GATEWAY_PARTITION (the operators' tenants). */
  readonly operatorTenants: ReadonlySet<string>;
  readonly now?: () => number;
  /** Told of each write the store lost (failed or dropped), for the metrics. */
  readonly onLost?: (reason: 'failed' | 'dropped') => void;
}

/** Who and what a request is, as known when it is authenticated: what every entry of the request carries. */
export interface AuditRequest {
  readonly tenant: string | null;
  readonly actor: string | null;
  readonly requestId: string;
  /** The Idempotency-Key header; a mutation's `idempotencyKey` argument wins over it. */
  readonly idempotencyKey: string | null;
  /** The GraphQL operation name the request gave; a mutation's entry names its field instead. */
  readonly operation: string | null;
}

/** The part of an entry the place that records it knows. */
export type AuditFacts = Pick<AuditEvent, 'kind' | 'outcome'> & Partial<Omit<AuditEvent, 'kind' | 'outcome'>>;

/** One request's recorder: the domain's handle on the trail (TenantScope.audit, the resolvers' context). */
export interface AuditRecorder {
  record(facts: AuditFacts): void;
  /** The operation name GraphQL resolved, for a request that sent none apart from its document. */
  named(operation: string | null | undefined): void;
}

export interface AuditTrail {
  forRequest(request: AuditRequest): AuditRecorder;
  read(
    tenant: string,
    query: { filter: AuditFilter; first: number; after: string | null; gateway: boolean },
  ): Promise<AuditEntryListModel>;
  /** Store writes lost since start: failed, or dropped because the buffer was full. */
  readonly lost: { readonly failed: number; readonly dropped: number };
  /** Waits for the writes in flight (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const MAX_TEXT = 200;
const clip = (text: string | null | undefined): string | null => (text == null ? null : text.slice(0, MAX_TEXT));

/** What the composition root hands the trail besides its store: the clock, and who counts lost writes. */
export type AuditHooks = Pick<AuditTrailOptions, 'now' | 'onLost'>;

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const maxPending = options.maxPending ?? 1000;
  const faultLogIntervalMs = options.faultLogIntervalMs ?? 10_000;
  const pending = new Set<Promise<void>>();
  const lost = { failed: 0, dropped: 0 };
  let lastFaultLog = -Infinity;

  const fault = (reason: 'failed' | 'dropped', error?: unknown) => {
    lost[reason] += 1;
    options.onLost?.(reason);
    if (now() - lastFaultLog < faultLogIntervalMs) return;
    lastFaultLog = now();
    logger.warn(
      { lost: { ...lost }, ...(error !== undefined && { err: error }) },
      'audit store write lost (the entry is in the log)',
    );
  };

  const append = (event: AuditEvent) => {
    logger.info({ audit: event }, 'audit');
    if (pending.size >= maxPending) return fault('dropped');
    const write = store.append(event.tenant ?? GATEWAY_PARTITION, event).then(
      () => {},
      (error: unknown) => fault('failed', error),
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };

  return {
    forRequest: (request) => {
      let named: string | null = null;
      return {
        named: (operation) => void (named = operation ?? null),
        record: (facts) =>
          append({
            time: new Date(now()).toISOString(),
            tenant: request.tenant,
            actor: request.actor,
            operation: clip(facts.operation ?? request.operation ?? named),
            targetIds: (facts.targetIds ?? []).map((id) => clip(id)!),
            dryRun: facts.dryRun ?? false,
            idempotencyKey: clip(facts.idempotencyKey ?? request.idempotencyKey),
            code: facts.code ?? null,
            httpStatus: facts.httpStatus ?? null,
            requestId: request.requestId,
            kind: facts.kind,
            outcome: facts.outcome,
          }),
      };
    },
    async read(tenant, { filter, first, after, gateway }) {
      if (gateway && !options.operatorTenants.has(tenant))
        throw new ForbiddenError("Only the operators' tenants read the gateway-wide audit log");
      try {
        return await store.read(gateway ? GATEWAY_PARTITION : tenant, { filter, first, after });
      } catch (error) {
        logger.warn({ err: error }, 'audit store read failed');
        throw new GatewayError('The audit log cannot be read right now', GatewayErrorCode.UPSTREAM_UNAVAILABLE);
      }
    },
    lost,
    async flush() {
      await Promise.all([...pending]);
    },
    async close() {
      await Promise.all([...pending]);
      await store.close();
    },
  };
}

/**
 * Private: a thrown mutation's outcome. The settling of unknown writes
 * (unknown-outcome.ts) marks the ones it could not decide (`outcome: UNKNOWN`,
 * UPSTREAM_OUTCOME_UNKNOWN); any other gateway error changed nothing; an
 * unexpected error after the input was checked may have been anywhere.
 */
function thrownOutcome(error: unknown, dryRun: boolean): { outcome: 'NOT_APPLIED' | 'UNKNOWN'; code: string } {
  if (!(error instanceof GatewayError))
    return { outcome: dryRun ? 'NOT_APPLIED' : 'UNKNOWN', code: 'INTERNAL_SERVER_ERROR' };
  const unknown = error.extensions.outcome === 'UNKNOWN' || String(error.code) === 'UPSTREAM_OUTCOME_UNKNOWN';
  return { outcome: unknown && !dryRun ? 'UNKNOWN' : 'NOT_APPLIED', code: error.code };
}

/** What a mutation result says about the audit: the facts the resolver's wrapper records. */
interface AuditableResult {
  readonly dryRun: boolean;
  readonly userErrors: readonly { readonly code: string }[];
}

/**
 * Runs a mutation and records it: APPLIED when the vendor made the change,
 * NOT_APPLIED for a dry run or a userError (nothing changed), and for a thrown
 * error NOT_APPLIED, or UNKNOWN when the vendor may have made the change.
 */
export async function auditedMutation<T extends AuditableResult>(
  recorder: AuditRecorder,
  call: { operation: string; targetIds: readonly string[]; dryRun: boolean; idempotencyKey: string | null | undefined },
  run: () => Promise<T>,
): Promise<T> {
  const base = {
    kind: 'MUTATION' as const,
    operation: call.operation,
    targetIds: call.targetIds,
    ...(call.idempotencyKey != null && { idempotencyKey: call.idempotencyKey }),
  };
  let result: T;
  try {
    result = await run();
  } catch (error) {
    recorder.record({ ...base, dryRun: call.dryRun, ...thrownOutcome(error, call.dryRun) });
    throw error;
  }
  const failure = result.userErrors[0]?.code ?? null;
  const applied = failure === null && !result.dryRun;
  recorder.record({ ...base, dryRun: result.dryRun, outcome: applied ? 'APPLIED' : 'NOT_APPLIED', code: failure });
  return result;
}

/** The `auditLog` query's arguments, as the resolver receives them. */
export interface AuditLogArgs {
  readonly filter?: (AuditFilter & { readonly gatewayWide?: boolean | null | undefined }) | null | undefined;
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

const MAX_PAGE = 500;

/** One page of a tenant's audit log; bad arguments are BAD_USER_INPUT before the store is asked. */
export function readAuditLog(trail: AuditTrail, tenantId: string, args: AuditLogArgs): Promise<AuditEntryListModel> {
  const first = args.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
    throw new BadUserInputError(`Argument "first" must be between 1 and ${MAX_PAGE}`, { argumentName: 'first' });
  const after = args.after ?? null;
  if (after !== null && !/^\d{1,16}-\d{1,16}$/.test(after))
    throw new BadUserInputError('Argument "after" is not a cursor this log handed out', { argumentName: 'after' });
  const { gatewayWide, ...filter } = args.filter ?? {};
  return trail.read(tenantId, { filter, first, after, gateway: gatewayWide === true });
}
