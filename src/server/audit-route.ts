import type { HTTPGraphQLResponse } from '@apollo/server';
import type { IncomingMessage } from 'node:http';
import type { AuditRecorder, AuditTrail } from '../domain/audit.js';
import type { RequestState } from '../request/request-state.js';
import type { AuthenticatedRequest } from './context.js';
import type { OperationRequest } from './persisted-operations.js';
import type { RequestPlugin } from './request-plugins.js';

/** The refusals the audit trail records: not authenticated, not allowed, over a limit. */
const AUDITED_STATUSES = new Set([401, 403, 429]);

const NO_RECORDER: AuditRecorder = { record: () => {}, named: () => {} };

/**
 * One /graphql request's part in the audit trail, filled in step by step as
 * graphql-route.ts learns who is calling and what: its recorder carries the
 * tenant, actor, request id, Idempotency-Key header and operation name.
 */
export class RouteAudit {
  private caller: AuthenticatedRequest | undefined;
  private operation: string | null = null;
  private bound: AuditRecorder | undefined;

  constructor(
    private readonly trail: AuditTrail | undefined,
    private readonly req: IncomingMessage,
    private readonly state: RequestState,
  ) {}

  received(request: OperationRequest): void {
    this.operation = operationNameOf(request);
  }

  authenticated(caller: AuthenticatedRequest): void {
    this.caller = caller;
    this.bound = undefined;
  }

  get recorder(): AuditRecorder {
    if (!this.trail) return NO_RECORDER;
    this.bound ??= this.trail.forRequest({
      tenant: this.caller?.tenant.id ?? null,
      actor: this.caller ? actorOf(this.caller) : null,
      requestId: this.state.trace.requestId,
      idempotencyKey: this.caller?.idempotencyKey ?? headerOf(this.req, 'idempotency-key'),
      operation: this.operation,
    });
    return this.bound;
  }

  /** A step refused the request (http-io.ts Refusal). */
  refused(status: number, code: string): void {
    if (AUDITED_STATUSES.has(status))
      this.recorder.record({ kind: 'REFUSAL', outcome: 'REFUSED', code, httpStatus: status });
  }

  /** Apollo refused the operation before running it (a missing scope, a limit): its status says so. */
  answered(response: HTTPGraphQLResponse): void {
    const status = response.status ?? 200;
    if (AUDITED_STATUSES.has(status)) this.refused(status, this.state.operation?.errorCodes[0] ?? String(status));
  }
}

/** Private: the caller's id for the trail (`key:<id>`, `jwt:<sub>`): never the key or token itself. */
const actorOf = (caller: AuthenticatedRequest): string => caller.caller.actor;

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(',') : value;
}

/** Private: the operation name a POST body or a GET query string gives, when it gives one. */
function operationNameOf({ body, search }: OperationRequest): string | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const name = (body as { operationName?: unknown }).operationName;
    return typeof name === 'string' ? name : null;
  }
  return new URLSearchParams(search).get('operationName');
}

/** Tells each request's recorder the operation name Apollo resolved, before anything executes. */
export function auditOperationPlugin(): RequestPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.audit.named(operationName);
        },
      };
    },
  };
}
