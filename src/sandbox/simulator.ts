import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Vendor } from '../domain/models.js';
import { credentialOf, echoing } from './fault-echo.js';
import { flood } from './fault-flood.js';
import { compileRoute, matchRoute, parseBody, readRaw } from './route-matching.js';

/**
 * A stateful HTTP simulator of one vendor, on its own loopback port. Vendor
 * folders (src/sandbox/<vendor>/) describe routes with the contract's own path
 * templates (`/organizations/{organizationId}:disconnect`), an auth check and a
 * seed; this file serves them, counts requests per route, records them for the
 * contract tests, and injects faults.
 *
 * Admin routes, for tests and the bench (not part of any vendor's API):
 *   GET  /__sandbox/stats   request counters (total and per route)
 *   POST /__sandbox/reset   re-seed the state and zero the counters
 *   POST /__sandbox/faults  add a fault (see FaultSpec); DELETE clears them
 */

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body; undefined when empty; the raw string when it is not JSON. */
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
}

export interface SimResponse {
  readonly status: number;
  /** Serialized as JSON; omitted when undefined. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SimRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The contract's path template, e.g. `/provisioning/organizations/{organization_id}/connections`. */
  readonly path: string;
  handle(req: SimRequest): SimResponse;
}

export interface VendorSimulator {
  readonly vendor: Vendor;
  readonly routes: readonly SimRoute[];
  /** A response to send instead of handling the request (401), or null when the request is authorized. */
  authenticate(req: SimRequest): SimResponse | null;
  /** Re-seeds the state. */
  reset(): void;
}

export interface FaultSpec {
  readonly method?: string;
  /** Applies to requests whose path starts with this; all paths when omitted. */
  readonly pathPrefix?: string;
  /** How many requests it applies to; unlimited when omitted. */
  readonly times?: number;
  /** Delay before answering (or before the fault). */
  readonly latencyMs?: number;
  /** Answer with this status and body instead of the route's. */
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A vendor that echoes what it received: every `{{credential}}` in `body`'s
   * strings becomes the credential the request carried (its `x-api-key`, or
   * its bearer token), as in a validation message quoting a header.
   */
  readonly echoCredential?: boolean;
  /**
   * `reset`: destroy the socket; `hang`: never answer; `malformed`: 200 with a
   * body that is not JSON; `stall`: send 200 headers and half a body, then
   * nothing (a response that never finishes). `applied-reset` / `applied-hang`:
   * the route handles the request (a write is applied), then the connection is
   * reset / never answered: an outcome the client cannot know.
   */
  readonly kind?: 'reset' | 'hang' | 'malformed' | 'stall' | 'applied-reset' | 'applied-hang' | 'flood';
  /** `flood`: a 200 chunked JSON body of this many bytes (fault-flood.ts), 50 MiB by default; told the bytes sent. */
  readonly floodBytes?: number;
  readonly flooded?: (written: number) => void;
}

export interface RecordedRequest {
  readonly method: string;
  /** The matched contract path template, or null when no route matched. */
  readonly route: string | null;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /**
   * What produced the response: the vendor route, the simulator's auth check, an
   * injected fault (deliberately off-contract), or no route at all. Contract
   * tests validate every request, and only responses not served by a fault.
   */
  readonly servedBy: 'route' | 'auth' | 'fault' | 'unmatched';
  readonly status: number;
  readonly responseBody: unknown;
  /** When the request arrived (ms since the epoch). */
  readonly receivedAt: number;
}

export interface SimulatorStats {
  readonly total: number;
  readonly byRoute: Readonly<Record<string, number>>;
  /** Distinct requests (method, path and query) among `total`: what a client that never repeats itself would send. */
  readonly distinct: number;
  /** Requests per concrete method and path ("GET /a/b"), faulted ones included: attempts per resource. */
  readonly byPath: Readonly<Record<string, number>>;
}

export interface RunningSimulator {
  readonly vendor: Vendor;
  readonly url: string;
  readonly port: number;
  stats(): SimulatorStats;
  /**
   * The requests served since the last reset, in order (in-process only: it holds
   * credentials). Bounded: past 2 × RECORDED_REQUESTS_KEPT the oldest are dropped
   * down to the last RECORDED_REQUESTS_KEPT.
   */
  requests(): readonly RecordedRequest[];
  reset(): void;
  addFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Calls `listener` with each request as it is recorded (across resets); returns an unsubscribe function. */
  onRequest(listener: (request: RecordedRequest) => void): () => void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many recorded requests a simulator keeps between resets (tests read far fewer; listeners see all). */
export const RECORDED_REQUESTS_KEPT = 10_000;

export async function startSimulator(sim: VendorSimulator, port = 0, host = '127.0.0.1'): Promise<RunningSimulator> {
  const routes = sim.routes.map(compileRoute);
  let byRoute: Record<string, number> = {};
  let byPath: Record<string, number> = {};
  let total = 0;
  let distinct = new Set<string>();
  let recorded: RecordedRequest[] = [];
  let faults: { spec: FaultSpec; remaining: number }[] = [];
  const listeners = new Set<(request: RecordedRequest) => void>();
  const record = (request: RecordedRequest) => {
    recorded.push(request);
    // The demo of `npm start` runs for days: keep the log bounded (dropped in chunks, not one shift per request).
    if (recorded.length > 2 * RECORDED_REQUESTS_KEPT) recorded = recorded.slice(-RECORDED_REQUESTS_KEPT);
    for (const listener of listeners) listener(request);
  };
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, r: SimResponse) => {
    const text = r.body === undefined ? '' : JSON.stringify(r.body);
    res.writeHead(r.status, { ...(text && { 'content-type': 'application/json' }), ...r.headers });
    res.end(text);
  };

  const takeFault = (method: string, path: string): FaultSpec | null => {
    const entry = faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.spec.method || f.spec.method === method) &&
        (!f.spec.pathPrefix || path.startsWith(f.spec.pathPrefix)),
    );
    if (!entry) return null;
    entry.remaining -= 1;
    return entry.spec;
  };

  async function admin(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === '/__sandbox/stats' && req.method === 'GET') return send(res, { status: 200, body: running.stats() });
    if (path === '/__sandbox/reset' && req.method === 'POST') {
      running.reset();
      return send(res, { status: 200, body: { ok: true } });
    }
    if (path === '/__sandbox/faults' && req.method === 'POST') {
      running.addFault(parseBody(await readRaw(req)) as FaultSpec);
      return send(res, { status: 200, body: { ok: true } });
    }
    if (path === '/__sandbox/faults' && req.method === 'DELETE') {
      running.clearFaults();
      return send(res, { status: 200, body: { ok: true } });
    }
    return send(res, { status: 404, body: { error: 'unknown sandbox admin route' } });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (path.startsWith('/__sandbox/')) return admin(req, res, path);
    const receivedAt = Date.now();
    const method = req.method ?? 'GET';
    const body = parseBody(await readRaw(req));
    const found = matchRoute(routes, method, path);
    const routeKey = found ? `${method} ${found.route.path}` : `${method} (unmatched)`;
    total += 1;
    distinct.add(`${method} ${url.pathname}${url.search}`);
    byRoute[routeKey] = (byRoute[routeKey] ?? 0) + 1;
    byPath[`${method} ${path}`] = (byPath[`${method} ${path}`] ?? 0) + 1;
    const simReq: SimRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: found?.params ?? {},
    };

    const fault = takeFault(method, path);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    let response: SimResponse;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return; // never answers; the client's timeout must cut it
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"truncated": ');
    }
    if (fault?.kind === 'flood') return flood(res, fault.floodBytes ?? 50 * 1024 * 1024, fault.flooded);
    if (fault?.kind === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.write('[{"id": ');
    }
    if (fault?.status !== undefined)
      response = {
        status: fault.status,
        body: fault.echoCredential ? echoing(fault.body, credentialOf(simReq)) : fault.body,
        ...(fault.headers && { headers: fault.headers }),
      };
    else if (!found) response = { status: 404, body: { error: `no route ${method} ${path}` } };
    else response = sim.authenticate(simReq) ?? found.route.handle(simReq);
    // The auth check is a pure function of the request: asking again tells a rejection from a handled request.
    const servedBy: RecordedRequest['servedBy'] =
      fault?.status !== undefined ? 'fault' : !found ? 'unmatched' : sim.authenticate(simReq) ? 'auth' : 'route';

    record({
      servedBy,
      method,
      route: found?.route.path ?? null,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      status: response.status,
      responseBody: response.body,
      receivedAt,
    });
    if (fault?.kind === 'applied-reset') return void req.socket.destroy();
    if (fault?.kind === 'applied-hang') return;
    send(res, response);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: { error: 'sandbox failure' } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  const running: RunningSimulator = {
    vendor: sim.vendor,
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    stats: () => ({ total, byRoute: { ...byRoute }, byPath: { ...byPath }, distinct: distinct.size }),
    requests: () => recorded,
    reset() {
      sim.reset();
      byRoute = {};
      byPath = {};
      total = 0;
      distinct = new Set();
      recorded = [];
      faults = [];
    },
    addFault: (spec) => faults.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void (faults = []),
    onRequest(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return running;
}
