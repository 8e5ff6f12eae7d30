import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import { BadUserInputError, UnauthenticatedError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { ResponseCacheEvent } from '../observability/metrics.js';
import { scopeList } from '../request/caller.js';
import type { RequestState } from '../request/request-state.js';
import type { GatewayContext } from '../resolvers/context.js';
import { configuredVendors } from '../vendors/registry.js';
import type { AuditTrail } from '../domain/audit.js';
import { RouteAudit } from './audit-route.js';
import type { AuthenticatedRequest, ContextFactory } from './context.js';
import type { CorsPolicy } from './cors.js';
import { readOperationRequest, Refusal } from './http-io.js';
import type { OperationGate, OperationRequest } from './persisted-operations.js';
import { RateLimitedError, rejectIfRefused } from './rate-limit-plugin.js';
import { rateLimitField, type RateLimiter } from './rate-limits.js';
import type { AnswerFlight, CacheHit, ResponseCache } from './response-cache.js';

export interface GraphQLRouteOptions {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly context: ContextFactory;
  /** Whole query answers (response-cache.ts); only when the cache is on. */
  readonly responseCache?: ResponseCache | undefined;
  /** Told of each answer the response cache served (hit, with its duration) or was offered (stored or not). */
  readonly onResponseCache?: (event: ResponseCacheEvent) => void;
  readonly logger: Logger;
  /** Largest request body accepted, in bytes. @default 1_000_000 */
  readonly maxBodyBytes?: number;
  /** Safelist mode: admits (and resolves hashes of) operations after authentication, before Apollo. */
  readonly operationGate?: OperationGate;
  /** Operations in one batched POST (a JSON array), when batching is on; Apollo rejects arrays when it is off. */
  readonly maxBatchOperations?: number | undefined;
  /** Browser origins allowed to call, globally and per tenant; without it no Access-Control-* header is sent. */
  readonly cors?: CorsPolicy;
  /** Request-count and cost limits (rate-limits.ts); none when off. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** The audit trail: refusals (401, 403, 429) are recorded here, mutations and unknown IDs by the domain. */
  readonly audit?: AuditTrail | undefined;
}

/** Where a query's answer may be cached: the response cache, and the request's key in it. */
interface CacheSlot {
  readonly cache: ResponseCache;
  readonly key: string;
}

/**
 * GET and POST /graphql, step by step. A step that refuses the request throws
 * a Refusal, which the server sends (http-server.ts); the audit trail records it first.
 */
export function handleGraphQL(
  req: IncomingMessage,
  res: ServerResponse,
  options: GraphQLRouteOptions,
  url: URL,
  state: RequestState,
): Promise<void> {
  let audit: RouteAudit;
  let serving: Promise<void>;
  try {
    audit = new RouteAudit(options.audit, req, state);
    serving = serveGraphQL(req, res, options, url, state, audit);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  // A handler, not an await: an async function here was one more frame kept for the whole request.
  return serving.catch((error: unknown) => {
    if (error instanceof Refusal) audit.refused(error.status, error.code);
    throw error;
  });
}

async function serveGraphQL(
  req: IncomingMessage,
  res: ServerResponse,
  options: GraphQLRouteOptions,
  url: URL,
  state: RequestState,
  audit: RouteAudit,
): Promise<void> {
  const received = await readOperationRequest(req, url.search, options);
  audit.received(received);
  // Authentication runs before Apollo: an unauthenticated request costs no parsing and gets a plain 401.
  const caller = await authenticate(req, options.context);
  state.tenantId = caller.tenant.id;
  state.caller = caller.caller;
  state.idempotencyKey = caller.idempotencyKey;
  audit.authenticated(caller);
  options.cors?.admitTenant(req, res, caller.tenant.id);
  if (options.rateLimiter) await rateLimited(res, state, () => spendRequest(res, caller, options.rateLimiter, state));
  const request = admit(received, options, state);
  // The text is the request's only while the safelist did not replace its body.
  const slot = cacheSlotOf(
    req,
    request,
    request === received ? received.text : undefined,
    caller,
    options.responseCache,
  );
  let flight: AnswerFlight | undefined;
  if (slot) {
    const found = await slot.cache.answerOrShare(slot.key, caller.tenant.id, configuredVendors(caller.tenant.vendors));
    if ('hit' in found) return sendCachedAnswer(res, found.hit, 'hit', options, state);
    if ('shared' in found) {
      const shared = await found.shared;
      if (shared) return sendCachedAnswer(res, shared, 'shared', options, state);
    } else flight = found.leads;
  }
  try {
    const context = options.context.contextFor(caller, state, audit.recorder);
    const response = await runOperation(req, request, context, options.apollo);
    writeRateLimitFields(res, state);
    audit.answered(response);
    const body =
      response.body.kind === 'complete'
        ? sendAnswer(res, response, response.body.string)
        : await sendStream(res, response);
    if (slot && body !== undefined) await offerToCache(res, slot, response, body, options, state, flight);
  } finally {
    // The requests waiting for this answer run the operation themselves when it was not one to share.
    flight?.land(undefined);
  }
}

/**
 * The one place a request is refused for its rate, as HTTP 429 RATE_LIMITED with Retry-After: its request
 * count here, or the cost of a cached answer; a cost refused while Apollo runs the operation
 * (rate-limit-plugin.ts) is answered by Apollo, with Retry-After from writeRateLimitFields. Every refusal,
 * vendor calls' too, is reported by the limiter's `refused` (metrics, audit).
 */
async function rateLimited(res: ServerResponse, state: RequestState, spend: () => Promise<void>): Promise<void> {
  try {
    await spend();
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    writeRateLimitFields(res, state);
    throw new Refusal(429, error.message, error.code);
  }
}

/** Spends one request from the caller's key's and tenant's request limits; the answer will carry the fields. */
async function spendRequest(
  res: ServerResponse,
  caller: AuthenticatedRequest,
  limiter: RateLimiter | undefined,
  state: RequestState,
): Promise<void> {
  const policy = limiter?.policyField(caller.tenant.id);
  if (!limiter || !policy) return;
  res.setHeader('ratelimit-policy', policy);
  const spend = { tenantId: caller.tenant.id, keyId: caller.caller.actor, states: [] };
  state.rateLimit = spend;
  rejectIfRefused(await limiter.spendRequest(spend), state);
}

/** The RateLimit field (and Retry-After when refused) from what the request spent. */
function writeRateLimitFields(res: ServerResponse, state: RequestState): void {
  const spend = state.rateLimit;
  if (!spend) return;
  res.setHeader('ratelimit', rateLimitField(spend.states));
  if (spend.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(spend.retryAfterSeconds));
}

async function authenticate(req: IncomingMessage, context: ContextFactory): Promise<AuthenticatedRequest> {
  try {
    return await context.authenticate(req);
  } catch (error) {
    if (error instanceof UnauthenticatedError)
      throw new Refusal(401, error.message, error.code, { 'www-authenticate': 'Bearer' });
    // A malformed request header (a forwarded credential): refused before Apollo, naming the header only.
    if (error instanceof BadUserInputError) throw new Refusal(400, error.message, error.code);
    throw error;
  }
}

/** Safelist mode: only manifest operations pass (a hash is resolved to its document). */
function admit(request: OperationRequest, options: GraphQLRouteOptions, state: RequestState): OperationRequest {
  if (!options.operationGate) return request;
  const admission = options.operationGate(request);
  if (admission.ok) return { method: request.method, body: admission.body, search: admission.search };
  options.logger.warn(
    { requestId: state.trace.requestId, tenant: state.tenantId, code: admission.code, reason: admission.message },
    'operation refused',
  );
  throw new Refusal(admission.status, admission.message, admission.code);
}

/** Only JSON POSTs of one operation that may be a query have a place in the response cache. */
function cacheSlotOf(
  req: IncomingMessage,
  request: OperationRequest,
  bodyText: string | undefined,
  caller: AuthenticatedRequest,
  cache: ResponseCache | undefined,
): CacheSlot | undefined {
  if (!cache || request.method !== 'POST') return undefined;
  const key = cache.keyOf({
    tenantId: caller.tenant.id,
    tenantConfig: caller.tenant,
    // An answer is served only to callers with the scopes of the one it was made for (scope-check.ts ran for it).
    credentialScope: `${caller.credentialScope}|${scopeList(caller.caller.scopes)}`,
    accept: req.headers.accept ?? '',
    body: request.body,
    bodyText,
  });
  return key === undefined ? undefined : { cache, key };
}

/** Sends a cached answer, or the answer of an identical request that ran at the same time. */
async function sendCachedAnswer(
  res: ServerResponse,
  hit: CacheHit,
  result: 'hit' | 'shared',
  options: GraphQLRouteOptions,
  state: RequestState,
): Promise<void> {
  // A cached answer costs what running its operation did.
  const limiter = options.rateLimiter;
  const spend = state.rateLimit;
  if (limiter && spend && hit.cost !== undefined) {
    spend.cost = hit.cost;
    await rateLimited(res, state, async () => rejectIfRefused(await limiter.spendCost(spend, hit.cost!), state));
    writeRateLimitFields(res, state);
  }
  state.operation = { operationName: hit.operationName, operationType: 'query', outcome: 'ok', errorCodes: [] };
  state.responseCache = result;
  const seconds = (performance.now() - state.started) / 1000;
  options.onResponseCache?.({ result, operationName: hit.operationName, seconds });
  // x-request-id is already set; writeHead merges it with the stored headers (only read: shared by every hit).
  res.writeHead(hit.status, hit.headerFields);
  res.end(hit.body);
}

function runOperation(
  req: IncomingMessage,
  { method, body, search }: OperationRequest,
  context: GatewayContext,
  apollo: ApolloServer<GatewayContext>,
): Promise<HTTPGraphQLResponse> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search, body },
    context: async () => context,
  });
}

/** Sends Apollo's answer in one piece, as Apollo's own serializer would end it, and returns what was sent. */
function sendAnswer(res: ServerResponse, response: HTTPGraphQLResponse, json: string): string {
  writeHead(res, response);
  // As bytes: a string body is sent joined to the header text, a second copy of the whole answer on the heap.
  const length = Buffer.byteLength(json);
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(json, 0, length);
  bytes[length] = NEWLINE;
  res.end(bytes);
  return `${json}\n`;
}

const NEWLINE = 0x0a;

/** Sends an answer Apollo streams (incremental delivery); nothing of it is cached. */
async function sendStream(res: ServerResponse, response: HTTPGraphQLResponse): Promise<undefined> {
  writeHead(res, response);
  if (response.body.kind === 'chunked') for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
  return undefined;
}

function writeHead(res: ServerResponse, response: HTTPGraphQLResponse): void {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
}

/**
 * A complete, error-free query answer is stored when every read it was built from allows (ReadLedger), and
 * handed first to the identical requests that waited for it.
 */
async function offerToCache(
  res: ServerResponse,
  { cache, key }: CacheSlot,
  response: HTTPGraphQLResponse,
  body: string,
  options: GraphQLRouteOptions,
  state: RequestState,
  flight: AnswerFlight | undefined,
): Promise<void> {
  const summary = state.operation;
  if (summary?.operationType !== 'query' || summary.outcome !== 'ok' || res.statusCode !== 200) return;
  const answer = {
    status: res.statusCode,
    headers: [...response.headers],
    body,
    operationName: summary.operationName,
    ...(state.rateLimit?.cost !== undefined && { cost: state.rateLimit.cost }),
  };
  flight?.land(answer, state.reads);
  const stored = await cache.store(key, answer, state.reads);
  state.responseCache = stored ? 'stored' : 'miss';
  options.onResponseCache?.({ result: state.responseCache, operationName: summary.operationName });
}
