import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { BadUserInputError, UnauthenticatedError } from '../domain/errors.js';
import { hasScope } from '../request/caller.js';
import { RequestState } from '../request/request-state.js';
import { traceRequest } from '../observability/request-trace.js';
import { RouteAudit } from './audit-route.js';
import { FORWARDED_CREDENTIAL_HEADERS } from './forwarded-credentials.js';
import {
  maskError,
  openSession,
  prepareSubscription,
  type SubscriptionDeps,
  type SubscriptionSession,
} from './subscriptions.js';

/**
 * Subscriptions over WebSocket at /graphql, with graphql-ws (the
 * `graphql-transport-ws` subprotocol) on ws. Browsers cannot set headers on a
 * WebSocket, so the credential comes in `connection_init`'s payload as
 * `authorization` ("Bearer <key>"); a missing or invalid one closes the socket
 * with 4401, a credential without the `read` scope with 4403, before any
 * operation is read. Only subscriptions run here (queries and mutations: POST
 * /graphql).
 */

/** How long a shutdown waits for open subscriptions to send their `complete`. */
const CLOSE_WAIT_MS = 1_000;

export interface WebSocketRoute {
  /** Closes every socket (1001 Going away) and stops accepting upgrades. */
  close(): Promise<void>;
}

/** A type, not an interface: graphql-ws wants an index signature. */
type SocketExtra = { session?: SubscriptionSession };

export function attachWebSocketRoute(
  server: Server,
  deps: SubscriptionDeps & { readonly maxBodyBytes: number; readonly keepAliveMs: number },
): WebSocketRoute {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: deps.maxBodyBytes });
  let accepting = true;
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (!accepting || path !== '/graphql') {
      socket.end(`HTTP/1.1 ${accepting ? '404 Not Found' : '503 Service Unavailable'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  };
  server.on('upgrade', upgrade);
  // Operations running, so a shutdown sends each its `complete` before the sockets close.
  let running = 0;
  let drained: (() => void) | undefined;

  const disposable = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      // Error details never go into a close reason.
      isProd: true,
      onConnect: async (ctx) => {
        const { request, socket } = ctx.extra;
        const audit = new RouteAudit(deps.audit, request, new RequestState(traceRequest(request, '/graphql')));
        const refuse = (code: number, status: number, reason: string, errorCode: string) => {
          audit.refused(status, errorCode);
          socket.close(code, reason);
          return false;
        };
        let caller;
        try {
          caller = await deps.context.authenticate(credentialRequest(request, ctx.connectionParams));
        } catch (error) {
          if (error instanceof UnauthenticatedError || error instanceof BadUserInputError)
            return refuse(CloseCode.Unauthorized, 401, 'Unauthorized', error.code);
          throw error;
        }
        if (!hasScope(caller.caller, 'read')) return refuse(CloseCode.Forbidden, 403, 'Forbidden', 'FORBIDDEN');
        ctx.extra.session = openSession(deps, request, caller);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const prepared = await prepareSubscription(deps, ctx.extra.session!, payload);
        if (!('args' in prepared)) return [...prepared.errors];
        running += 1;
        deps.observer?.opened('websocket');
        return prepared.args;
      },
      onComplete: () => {
        deps.observer?.closed('websocket');
        running -= 1;
        if (running === 0) drained?.();
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        deps.observer?.delivered('websocket');
        return result.errors ? { ...result, errors: result.errors.map((error) => maskError(deps, error)) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => maskError(deps, error)),
    },
    sockets,
    deps.keepAliveMs,
  );

  return {
    /** Call once the feed is closed: its subscriptions complete, their `complete` frames go out, then 1001. */
    async close() {
      accepting = false;
      server.off('upgrade', upgrade);
      if (running > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CLOSE_WAIT_MS);
          drained = () => (clearTimeout(timer), resolve());
        });
      }
      // The last `complete` is sent after its onComplete hook returns.
      await new Promise((resolve) => setImmediate(resolve));
      await disposable.dispose();
    },
  };
}

/**
 * Private: the credentials of a WebSocket as the authenticator reads them from
 * an HTTP request: `authorization` (and forwarded vendor credentials) from
 * `connection_init`'s payload, never from the upgrade request's cookies.
 */
function credentialRequest(request: IncomingMessage, params: Record<string, unknown> | undefined): IncomingMessage {
  const headers: Record<string, string> = {};
  const wanted = ['authorization', ...Object.values(FORWARDED_CREDENTIAL_HEADERS)];
  for (const [name, value] of Object.entries(params ?? {}))
    if (typeof value === 'string' && wanted.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
  // Non-browser clients may authenticate the upgrade request itself.
  const upgradeAuthorization = request.headers.authorization;
  if (headers.authorization === undefined && upgradeAuthorization) headers.authorization = upgradeAuthorization;
  return { headers } as IncomingMessage;
}
