import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { BadUserInputError, UnauthenticatedError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { traceRequest } from '../observability/request-trace.js';
import { ReadLedger } from '../request/read-ledger.js';
import { configuredVendors } from '../vendors/registry.js';
import type { AuthenticatedRequest, ContextFactory, GatewayContext } from './context.js';
import type { OperationGate } from './persisted-operations.js';
import { operationSummaryOf, prepareOperationSummary, type OperationSummary } from './operation-observer-plugin.js';
import type { ResponseCache } from './response-cache.js';

/**
 * Apollo Server on Node's own http server (no framework: the gateway needs
 * three routes, and every layer in front of Apollo costs throughput on each
 * request). Routes: /graphql (GET and POST), /healthz (alive), /readyz (able
 * to serve: configuration loaded, dependencies reachable, not shutting down),
 * /metrics (Prometheus). Every request gets an `x-request-id` (the client's, or
 * a new one) echoed in the response and one structured log line when it ends.
 */

export interface ReadinessReport {
  readonly ready: boolean;
  /** Per dependency: "ok", or why it is not. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface HttpServerOptions {
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
  /** Serves /metrics when given. */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  /** Backs /readyz; without it the server is ready while it accepts requests. */
  readonly readiness?: () => Promise<ReadinessReport>;
}

export interface ResponseCacheEvent {
  readonly result: 'hit' | 'stored' | 'miss';
  readonly operationName: string | null;
  /** For hits: from reading the body to sending the answer. */
  readonly seconds?: number;
}

/** Private: what a /graphql request's log line tells beyond the HTTP exchange. */
interface RequestFacts {
  readonly tenantId: string;
  /** The resolvers' context, holding the summary of the operation Apollo ran. */
  context?: GatewayContext;
  /** The summary of an answer served from the response cache. */
  summary?: OperationSummary;
  /** hit: answered from the response cache; stored: answered by Apollo and cached; miss: answered, not cacheable. */
  responseCache?: 'hit' | 'stored' | 'miss';
}
const requestFacts = new WeakMap<IncomingMessage, RequestFacts>();

export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reject(new BodyTooLargeError());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.destroy();
        reject(new BodyTooLargeError());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const requestError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

async function handleGraphQL(
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpServerOptions,
  url: URL,
): Promise<void> {
  const started = performance.now();
  let body: unknown;
  if (req.method === 'POST') {
    const text = await readBody(req, options.maxBodyBytes ?? 1_000_000);
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.includes('application/json') || contentType.includes('application/graphql-response+json')) {
      try {
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        return sendJson(res, 400, requestError('The request body is not valid JSON', 'BAD_REQUEST'));
      }
    } else body = text;
    const maxBatch = options.maxBatchOperations;
    if (Array.isArray(body) && maxBatch !== undefined && body.length > maxBatch) {
      return sendJson(
        res,
        400,
        requestError(`A batch may hold at most ${maxBatch} operations`, 'BATCH_LIMIT_EXCEEDED'),
      );
    }
  }
  // Authentication runs before Apollo: an unauthenticated request costs no parsing and gets a plain 401.
  let caller: AuthenticatedRequest;
  try {
    caller = await options.context.authenticate(req);
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, requestError(error.message, error.code));
    }
    // A malformed request header (a forwarded credential): refused before Apollo, naming the header only.
    if (error instanceof BadUserInputError) return sendJson(res, 400, requestError(error.message, error.code));
    throw error;
  }
  const facts: RequestFacts = { tenantId: caller.tenant.id };
  requestFacts.set(req, facts);
  let search = url.search;
  if (options.operationGate) {
    const admission = options.operationGate({ method: req.method ?? 'GET', body, search });
    if (!admission.ok) {
      options.logger.warn(
        { requestId: caller.requestId, tenant: caller.tenant.id, code: admission.code, reason: admission.message },
        'operation refused',
      );
      return sendJson(res, admission.status, requestError(admission.message, admission.code));
    }
    ({ body, search } = admission);
  }
  const cache = options.responseCache;
  const cacheKey =
    cache && req.method === 'POST'
      ? cache.keyOf({
          tenantId: caller.tenant.id,
          tenantConfig: caller.tenant,
          credentialScope: caller.credentialScope,
          accept: req.headers.accept ?? '',
          body,
        })
      : undefined;
  if (cache && cacheKey) {
    const hit = await cache.lookup(cacheKey, caller.tenant.id, configuredVendors(caller.tenant.vendors));
    if (hit) {
      facts.summary = { operationName: hit.operationName, operationType: 'query', outcome: 'ok', errorCodes: [] };
      facts.responseCache = 'hit';
      options.onResponseCache?.({ result: 'hit', operationName: hit.operationName, seconds: secondsSince(started) });
      // x-request-id is already set; writeHead merges it with the stored headers.
      res.writeHead(hit.status, Object.fromEntries(hit.headers));
      return void res.end(hit.body);
    }
  }
  const ledger = new ReadLedger();
  const context = options.context.contextFor(caller, ledger);
  prepareOperationSummary(context);
  facts.context = context;
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
    context: async () => context,
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind !== 'complete') {
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    return void res.end();
  }
  res.end(response.body.string);
  const summary = operationSummaryOf(context);
  if (!cache || !cacheKey || summary?.operationType !== 'query' || summary.outcome !== 'ok') return;
  if (res.statusCode !== 200) return;
  const stored = await cache.store(
    cacheKey,
    {
      status: res.statusCode,
      headers: [...response.headers],
      body: response.body.string,
      operationName: summary.operationName,
    },
    ledger,
  );
  facts.responseCache = stored ? 'stored' : 'miss';
  options.onResponseCache?.({ result: stored ? 'stored' : 'miss', operationName: summary.operationName });
}

const secondsSince = (started: number) => (performance.now() - started) / 1000;

export async function startHttpServer(
  options: HttpServerOptions,
  port: number,
  host: string,
): Promise<RunningHttpServer> {
  let accepting = true;
  /** Responses being produced, so a shutdown can ask their keep-alive connections to close once they are sent. */
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.add(res);
    const started = performance.now();
    const trace = traceRequest(req);
    res.setHeader('x-request-id', trace.requestId);
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (!accepting) res.setHeader('connection', 'close');
    const route = url.pathname;
    res.once('close', () => {
      inFlight.delete(res);
      logRequest(options.logger, req, res, route, started);
    });
    const work =
      route === '/graphql'
        ? handleGraphQL(req, res, options, url)
        : route === '/healthz'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
          : route === '/readyz'
            ? readiness(options, accepting).then((report) =>
                sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report }),
              )
            : route === '/metrics' && options.metrics
              ? sendMetrics(res, options.metrics)
              : Promise.resolve(
                  sendJson(res, 404, requestError(`No route ${route}; GraphQL is served at /graphql`, 'NOT_FOUND')),
                );
    work.catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        return sendJson(res, 413, requestError('The request body is too large', 'PAYLOAD_TOO_LARGE'));
      }
      options.logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, requestError('Unexpected error.', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close(graceMs = 10_000) {
      accepting = false;
      // Otherwise their connections would idle on after the response, holding close() until the keep-alive timeout.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Private: not ready while draining; otherwise whatever the checks say. */
async function readiness(options: HttpServerOptions, accepting: boolean): Promise<ReadinessReport> {
  if (!accepting) return { ready: false, checks: { server: 'shutting down' } };
  return options.readiness ? options.readiness() : { ready: true, checks: {} };
}

async function sendMetrics(res: ServerResponse, metrics: NonNullable<HttpServerOptions['metrics']>): Promise<void> {
  const text = await metrics.render();
  res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Private: one structured line per request, when its response is done (or the
 * client went away). No headers, bodies or variables: they may hold secrets.
 * Probes and scrapes log at debug, so they do not drown the traffic.
 */
function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, route: string, started: number): void {
  const trace = traceRequest(req);
  const facts = requestFacts.get(req);
  const operation = facts?.summary ?? (facts?.context && operationSummaryOf(facts.context));
  const line = {
    requestId: trace.requestId,
    traceId: trace.traceId,
    spanId: trace.spanId,
    method: req.method,
    route,
    status: res.statusCode,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    ...(!res.writableFinished && { aborted: true }),
    ...(facts && { tenant: facts.tenantId }),
    ...(facts?.responseCache && { responseCache: facts.responseCache }),
    ...(operation && {
      operationName: operation.operationName,
      operationType: operation.operationType,
      outcome: operation.outcome,
      ...(operation.errorCodes.length > 0 && { errorCodes: operation.errorCodes }),
    }),
  };
  if (route === '/graphql') logger.info(line, 'request completed');
  else logger.debug(line, 'request completed');
}
