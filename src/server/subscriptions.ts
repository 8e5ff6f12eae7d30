import type { IncomingMessage } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { AuditTrail } from '../domain/audit.js';
import type { ConnectionEventFeed } from '../domain/connection-event-feed.js';
import type { FeedItem } from '../domain/event-subscriber.js';
import { GatewayError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { SubscriptionObserver } from '../observability/metrics.js';
import { traceRequest } from '../observability/request-trace.js';
import { requireScope } from '../request/caller.js';
import { RequestState } from '../request/request-state.js';
import type { GatewayContext } from '../resolvers/context.js';
import { RouteAudit } from './audit-route.js';
import type { AuthenticatedRequest, ContextFactory } from './context.js';
import { operationLimitRules, type OperationLimits } from './operation-limits.js';
import { knownOperationTypesRule } from './operation-types.js';
import type { OperationGate } from './persisted-operations.js';
import { operationCost, RateLimitedError, rejectIfRefused } from './rate-limit-plugin.js';
import type { RateLimiter } from './rate-limits.js';
import { requiredScopes } from './scope-check.js';

/**
 * What the two subscription transports (event-stream-route.ts: GraphQL over
 * SSE; websocket-route.ts: graphql-ws) share, so a subscription passes the same
 * gates as a POST /graphql: Apollo's executable schema, the operation limits,
 * the scopes, the rate limits (a subscription's start spends one request and
 * its cost) and error masking. Only subscriptions run here; queries and
 * mutations go to POST /graphql, where the response cache, idempotency and
 * audit of mutations live.
 */

export interface SubscriptionDeps {
  /** The executable schema Apollo serves (same type definitions and resolvers). */
  readonly schema: GraphQLSchema;
  readonly context: ContextFactory;
  readonly feed: ConnectionEventFeed;
  readonly logger: Logger;
  readonly limits: OperationLimits;
  readonly introspectionNeedsScope: boolean;
  readonly rateLimiter?: RateLimiter | undefined;
  readonly audit?: AuditTrail | undefined;
  /** Safelist mode (persisted-operations.ts): only manifest operations run, subscriptions too. */
  readonly operationGate?: OperationGate | undefined;
  /** Counts open subscriptions and the messages sent (the metrics). */
  readonly observer?: SubscriptionObserver | undefined;
  /** Apollo's formatError (format-error.ts): only Junction's own errors keep their message. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** One authenticated transport session: an SSE request, or a WebSocket connection. */
export interface SubscriptionSession {
  readonly caller: AuthenticatedRequest;
  /** The HTTP request (the WebSocket's upgrade request): request id and trace context for each event's context. */
  readonly req: IncomingMessage;
  readonly audit: RouteAudit;
  /** SSE's Last-Event-ID: where to resume when the operation's `after` is not given. */
  readonly resumeFrom?: string | undefined;
}

export type PreparedSubscription =
  { readonly args: ExecutionArgs } | { readonly errors: readonly GraphQLError[]; readonly status: number };

/** The GraphQL-over-HTTP parameters of one operation. */
export interface OperationParams {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
  readonly extensions?: unknown;
}

const refused = (status: number, message: string, code: string): PreparedSubscription => ({
  status,
  errors: [new GraphQLError(message, { extensions: { code } })],
});

/** Starts a session: the audit trail's view of it, with the caller known. */
export function openSession(
  deps: Pick<SubscriptionDeps, 'audit'>,
  req: IncomingMessage,
  caller: AuthenticatedRequest,
  extra: Pick<SubscriptionSession, 'resumeFrom'> = {},
): SubscriptionSession {
  const state = sessionState(req, caller);
  const audit = new RouteAudit(deps.audit, req, state);
  audit.authenticated(caller);
  return { caller, req, audit, ...extra };
}

/** Parses, validates and admits one operation; the arguments to execute it with, or the errors to answer. */
export async function prepareSubscription(
  deps: SubscriptionDeps,
  session: SubscriptionSession,
  params: OperationParams,
): Promise<PreparedSubscription> {
  if (deps.operationGate) {
    const admission = deps.operationGate({ method: 'POST', body: { ...params }, search: '' });
    if (!admission.ok) return refused(admission.status, admission.message, admission.code);
    params = admission.body as OperationParams;
  }
  const { query, variables, operationName } = params;
  if (typeof query !== 'string' || query === '') return refused(400, 'A query string is required', 'BAD_REQUEST');
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables)))
    return refused(400, '"variables" must be an object', 'BAD_REQUEST');
  if (operationName != null && typeof operationName !== 'string')
    return refused(400, '"operationName" must be a string', 'BAD_REQUEST');
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: deps.limits.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError) return { status: 400, errors: [error] };
    throw error;
  }
  const rules = [...specifiedRules, knownOperationTypesRule, ...operationLimitRules(deps.limits)];
  const invalid = validate(deps.schema, document, rules);
  if (invalid.length > 0) return { status: 400, errors: invalid };
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return refused(400, 'The operation to run could not be determined', 'OPERATION_RESOLUTION_FAILURE');
  if (operation.operation !== 'subscription')
    return refused(
      400,
      `Only subscriptions are served here; send a ${operation.operation} to POST /graphql`,
      'BAD_REQUEST',
    );
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  try {
    for (const [scope, field] of requiredScopes(operation, fragments, deps.introspectionNeedsScope))
      requireScope(session.caller.caller, scope, `\`${field}\``);
    await spendRateLimits(deps, session, document);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    const status = error instanceof RateLimitedError ? 429 : 403;
    session.audit.refused(status, error.code);
    return { status, errors: [error] };
  }
  return {
    args: {
      schema: deps.schema,
      document,
      operationName: operationName ?? null,
      variableValues: (variables ?? {}) as Record<string, unknown>,
      contextValue: subscriptionContext(deps, session),
    },
  };
}

/** Masks an error as POST /graphql would (format-error.ts); the HTTP status hint stays out of the frame. */
export function maskError(deps: Pick<SubscriptionDeps, 'formatError'>, error: GraphQLError): GraphQLFormattedError {
  const formatted = deps.formatError(error.toJSON(), error);
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/** Private: one request and one cost spent per subscription started, as a POST /graphql spends them. */
async function spendRateLimits(
  deps: SubscriptionDeps,
  session: SubscriptionSession,
  document: DocumentNode,
): Promise<void> {
  const limiter = deps.rateLimiter;
  if (!limiter?.policyField(session.caller.tenant.id)) return;
  const state = sessionState(session.req, session.caller);
  state.rateLimit = { tenantId: session.caller.tenant.id, keyId: session.caller.caller.actor, states: [] };
  rejectIfRefused(await limiter.spendRequest(state.rateLimit), state);
  rejectIfRefused(await limiter.spendCost(state.rateLimit, operationCost(deps.schema, document)), state);
}

/** Private: a request's state for the session's caller. */
function sessionState(req: IncomingMessage, caller: AuthenticatedRequest): RequestState {
  const state = new RequestState(traceRequest(req, '/graphql'));
  state.tenantId = caller.tenant.id;
  state.caller = caller.caller;
  state.idempotencyKey = caller.idempotencyKey;
  return state;
}

/** The id of the event a subscription's context is resolving (null before the first, or for an error). */
export const currentEventId = (context: unknown): string | null => eventIds.get(context as object)?.() ?? null;

const eventIds = new WeakMap<object, () => string | null>();

/**
 * Private: the resolvers' context of one subscription. Each event is resolved
 * as a request of its own (fresh loaders, its own request deadline): the
 * context delegates to the current event's, made when a resolver first needs
 * it after the event was handed over, so a subscription open for hours neither
 * caches vendor answers for hours nor runs past its first request's deadline,
 * and an event whose selection reaches no vendor costs no context.
 */
function subscriptionContext(deps: SubscriptionDeps, session: SubscriptionSession): GatewayContext {
  let current: GatewayContext | undefined;
  let eventId: string | null = null;
  const connectionEvents: GatewayContext['connectionEvents'] = async (after, filter) => {
    const items = await deps.feed.subscribe(session.caller.tenant.id, after ?? session.resumeFrom ?? null, filter);
    return renewing(items, (item) => {
      current = undefined;
      eventId = 'event' in item ? item.event.id : null;
    });
  };
  const context = new Proxy({} as GatewayContext, {
    get(_target, key) {
      if (key === 'connectionEvents') return connectionEvents;
      current ??= deps.context.contextFor(
        session.caller,
        sessionState(session.req, session.caller),
        session.audit.recorder,
      );
      return current[key as keyof GatewayContext];
    },
  });
  eventIds.set(context, () => eventId);
  return context;
}

/** Private: the feed's items, with `before` run as each is handed over. */
function renewing(
  items: AsyncIterableIterator<FeedItem>,
  before: (item: FeedItem) => void,
): AsyncIterableIterator<FeedItem> {
  return {
    async next() {
      const result = await items.next();
      if (!result.done) before(result.value);
      return result;
    },
    return: () => items.return!(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
