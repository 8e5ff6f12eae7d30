import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.js';
import type { ReadinessReport } from '../observability/readiness.js';
import { traceRequest } from '../observability/request-trace.js';
import type { GatewayTracer } from '../observability/tracing.js';
import { RequestState } from '../request/request-state.js';
import { handleGraphQL, type GraphQLRouteOptions } from './graphql-route.js';
import { Refusal, requestError, sendJson, sendRefusal } from './http-io.js';
import type { IdeRoutes } from './ide/ide-routes.js';
import { EVENT_STREAM_PATH, type EventStreamRoute } from './event-stream-route.js';

/**
 * Apollo Server on Node's own http server (no framework: the gateway needs
 * three routes, and every layer in front of Apollo costs throughput on each
 * request). Routes: /graphql (GET and POST, graphql-route.ts; CORS in cors.ts; WebSocket
 * subscriptions upgrade there, websocket-route.ts), /graphql/stream (subscriptions over SSE), /healthz
 * (alive), /readyz (able to serve: configuration loaded, dependencies
 * reachable, not shutting down), /metrics (Prometheus). Every request gets an
 * `x-request-id` (the client's, or a new one) echoed in the response, a
 * RequestState, and one structured log line when it ends.
 */

export interface HttpServerOptions extends GraphQLRouteOptions {
  /** Serves /metrics when given. */
  readonly metrics?: {
    readonly contentType: string;
    render(): Promise<string>;
    /** Counts each response by route and status. */
    httpResponse?(route: string, status: number): void;
  };
  /** Backs /readyz; without it the server is ready while it accepts requests. */
  readonly readiness?: () => Promise<ReadinessReport>;
  /** The in-browser IDE (ide/ide-routes.ts): a browser's GET of /graphql, and /ide/ assets. */
  readonly ide?: IdeRoutes | undefined;
  /** Subscriptions over Server-Sent Events at /graphql/stream (event-stream-route.ts). */
  readonly eventStream?: EventStreamRoute | undefined;
  /** Traces /graphql requests when given (probes and scrapes are not traced). */
  readonly tracer?: GatewayTracer | undefined;
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

/** The URL of most requests, parsed once (a URL parse per request showed in profiles); read, never changed. */
const GRAPHQL_URL: URL = new URL('/graphql', 'http://gateway');

export async function startHttpServer(
  options: HttpServerOptions,
  port: number,
  host: string,
): Promise<RunningHttpServer> {
  let accepting = true;
  /**
   * Responses being produced, so a shutdown can ask their keep-alive connections to close once they are sent.
   * Each through a cell emptied on close: V8 keeps a churning Set's replaced tables, entries and all, in the old
   * generation until a full collection, and a response held there kept its request's data through young ones.
   */
  const inFlight = new Set<{ res: ServerResponse | undefined }>();
  const server = createServer((req, res) => {
    const held: { res: ServerResponse | undefined } = { res };
    inFlight.add(held);
    const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://gateway');
    const route = url.pathname;
    const state = new RequestState(traceRequest(req, route, route === '/graphql' ? options.tracer : undefined));
    res.setHeader('x-request-id', state.trace.requestId);
    if (!accepting) res.setHeader('connection', 'close');
    res.once('close', () => {
      held.res = undefined;
      inFlight.delete(held);
      options.metrics?.httpResponse?.(route, res.statusCode);
      logRequest(options.logger, req, res, route, state);
      state.trace.spans?.end(res.statusCode, {
        ...(state.tenantId !== undefined && { 'junction.tenant': state.tenantId }),
        ...(state.responseCache && { 'junction.response_cache': state.responseCache }),
      });
    });
    serveRoute(req, res, url, state, options, accepting).catch((error: unknown) => {
      if (error instanceof Refusal) return sendRefusal(res, error);
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
      for (const { res } of inFlight) if (res && !res.headersSent) res.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Private: the route's handler. */
async function serveRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: RequestState,
  options: HttpServerOptions,
  accepting: boolean,
): Promise<void> {
  // Before the IDE: its page is a /graphql answer too, and varies by Origin like the rest.
  const graphql = url.pathname === '/graphql' || url.pathname === EVENT_STREAM_PATH;
  if (graphql && options.cors?.enter(req, res)) return;
  if (options.ide?.handles(req, url)) return options.ide.serve(req, res, url);
  switch (url.pathname) {
    case '/graphql':
      return handleGraphQL(req, res, options, url, state);
    case EVENT_STREAM_PATH:
      if (options.eventStream) return options.eventStream.serve(req, res, state);
      break;
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const report = await readiness(options, accepting);
      return sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
    }
    case '/metrics':
      if (options.metrics) return sendMetrics(res, options.metrics);
  }
  sendJson(res, 404, requestError(`No route ${url.pathname}; GraphQL is served at /graphql`, 'NOT_FOUND'));
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
function logRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  state: RequestState,
): void {
  const { trace, operation } = state;
  const line = {
    requestId: trace.requestId,
    traceId: trace.traceId,
    spanId: trace.spanId,
    method: req.method,
    route,
    status: res.statusCode,
    durationMs: Math.round((performance.now() - state.started) * 10) / 10,
    ...(!res.writableFinished && { aborted: true }),
    ...(state.tenantId !== undefined && { tenant: state.tenantId }),
    ...(state.caller && { actor: state.caller.actor }),
    ...(state.responseCache && { responseCache: state.responseCache }),
    ...(operation && {
      operationName: operation.operationName,
      operationType: operation.operationType,
      outcome: operation.outcome,
      ...(operation.errorCodes.length > 0 && { errorCodes: operation.errorCodes }),
    }),
  };
  if (route === '/graphql' || route === EVENT_STREAM_PATH) logger.info(line, 'request completed');
  else logger.debug(line, 'request completed');
}
