import { performance } from 'node:perf_hooks';
import type { RequestTrace } from '../observability/request-trace.js';
import type { Caller } from './caller.js';
import { ReadLedger } from './read-ledger.js';

/**
 * One request, from its arrival to its log line. The HTTP server creates it
 * once; the resolvers' context carries it; each part reads or fills in what
 * it owns: the loaders record reads, the domain spoils an answer that carries
 * a vendor's failure as data, Apollo's observer plugin leaves the operation
 * summary, the response cache its verdict, and the log line reads it all.
 */
export class RequestState {
  readonly started = performance.now();
  /** What the answer's reads depended on: whether, and how long, the response cache may keep it. */
  readonly reads = new ReadLedger();
  /** Set once the caller is authenticated. */
  tenantId: string | undefined;
  /** Who is calling and with which scopes (caller.ts); set with tenantId. */
  caller: Caller | undefined;
  /** The Idempotency-Key header, when sent. */
  idempotencyKey: string | undefined;
  /** The mutations this request ran, in order (src/resolvers/Mutation.ts). */
  readonly mutations: MutationRecord[] = [];
  /** The operation Apollo ran, or the one a cached answer stands for. */
  operation: OperationSummary | undefined;
  /** hit: answered from the response cache; stored: answered by Apollo and cached; miss: answered, not cacheable. */
  responseCache: 'hit' | 'shared' | 'stored' | 'miss' | undefined;
  /** What the request spent from its rate limits (src/server/rate-limits.ts), when limits are on. */
  rateLimit: RateLimitSpend | undefined;

  constructor(readonly trace: RequestTrace) {}
}

export interface RateLimitSpend {
  readonly tenantId: string;
  /** Whose key: the caller's actor (`key:<id>`, `jwt:<sub>`), never the credential. */
  readonly keyId: string;
  /** Each policy's remaining points and reset, as of the last spend. */
  states: readonly { readonly policy: string; readonly remaining: number; readonly resetSeconds: number }[];
  /** The operation's cost, once known (validated, or read with a cached answer). */
  cost?: number;
  /** Set when refused: the seconds the client should wait. */
  retryAfterSeconds?: number;
}

export type OperationOutcome = 'ok' | 'partial' | 'error';

export interface OperationSummary {
  readonly operationName: string | null;
  readonly operationType: string;
  readonly outcome: OperationOutcome;
  /** Distinct `extensions.code` values of the response's errors. */
  readonly errorCodes: readonly string[];
}

/** A mutation as its log line and the audit trail tell it: what, on which target, for real or not, and how it ended. */
export interface MutationRecord {
  /** The Mutation field: disconnectIntegration, deleteConnection, updateSharing. */
  readonly operation: string;
  readonly dryRun: boolean;
  /** The global IDs the input named (connection, organization), as sent. */
  readonly targetIds: readonly string[];
  /** disconnectIntegration by organization: the provider named. */
  readonly provider?: string;
  /** The input's idempotencyKey, or the Idempotency-Key header. */
  readonly idempotencyKey?: string;
  /** ok: done (or, on a dry run, checked); rejected: userErrors, nothing changed; error: a GraphQL error. */
  readonly outcome: 'ok' | 'rejected' | 'error';
  /** The userErrors' codes, or the error's code. */
  readonly codes: readonly string[];
}
