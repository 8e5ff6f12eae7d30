import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { createHandler, type OperationArgs, type Response } from 'graphql-sse';
import { BadUserInputError, UnauthenticatedError } from '../domain/errors.js';
import type { RequestState } from '../request/request-state.js';
import { RouteAudit } from './audit-route.js';
import type { CorsPolicy } from './cors.js';
import { readBody, Refusal } from './http-io.js';
import {
  currentEventId,
  maskError,
  openSession,
  prepareSubscription,
  type SubscriptionDeps,
  type SubscriptionSession,
} from './subscriptions.js';

/**
 * GraphQL over Server-Sent Events at /graphql/stream, with graphql-sse (the
 * maintained implementation of the GraphQL over SSE protocol), in its
 * "distinct connections" mode: each subscription is one request (GET with the
 * operation in the query string, or POST with a JSON body, `Accept:
 * text/event-stream`) answered by one event stream of `next` messages and a
 * final `complete`. The caller authenticates with the Authorization header
 * like on /graphql (401 otherwise, before anything is parsed). Each `next`
 * carrying an event also carries the event's id as the SSE `id:` field, so a
 * client that reconnects with `Last-Event-ID` resumes right after it.
 * The single-connection mode (PUT reservations) is not offered: its stream
 * tokens would be a second credential.
 */

export const EVENT_STREAM_PATH = '/graphql/stream';

/** A response further behind than this (bytes the client has not read) is ended; the client resumes with its last id. */
const MAX_UNREAD_BYTES = 1 << 20;

export interface EventStreamRoute {
  serve(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  429: 'Too Many Requests',
};

interface StreamContext {
  readonly session: SubscriptionSession;
  /** The event id of each `next` message, in the order graphql-sse prints them (null: not an event). */
  readonly ids: (string | null)[];
}

export function createEventStreamRoute(
  deps: SubscriptionDeps & { readonly maxBodyBytes: number; readonly cors?: CorsPolicy | undefined },
): EventStreamRoute {
  const handler = createHandler<IncomingMessage, StreamContext, Record<PropertyKey, unknown>>({
    // Distinct connections only: no stream token is ever read or made.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const prepared = await prepareSubscription(deps, req.context.session, params);
      if ('args' in prepared) return prepared.args as OperationArgs<Record<PropertyKey, unknown>>;
      const body = JSON.stringify({ errors: prepared.errors.map((error) => maskError(deps, error)) });
      const retryAfter = prepared.errors[0]?.extensions.retryAfter;
      const init = {
        status: prepared.status,
        statusText: STATUS_TEXT[prepared.status] ?? 'Bad Request',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(typeof retryAfter === 'number' && { 'retry-after': String(retryAfter) }),
        },
      };
      return [body, init] satisfies Response;
    },
    onNext: (ctx, req, result) => {
      deps.observer?.delivered('sse');
      req.context.ids.push(currentEventId(ctx));
      const errors = (result as ExecutionResult).errors?.map((error) => maskError(deps, error));
      return (errors ? { ...result, errors } : result) as ExecutionResult;
    },
  });

  return {
    async serve(req, res, state) {
      const audit = new RouteAudit(deps.audit, req, state);
      const caller = await deps.context.authenticate(req).catch((error: unknown) => {
        const refusal =
          error instanceof UnauthenticatedError
            ? new Refusal(401, error.message, error.code, { 'www-authenticate': 'Bearer' })
            : error instanceof BadUserInputError
              ? new Refusal(400, error.message, error.code)
              : error;
        if (refusal instanceof Refusal) audit.refused(refusal.status, refusal.code);
        throw refusal;
      });
      state.tenantId = caller.tenant.id;
      state.caller = caller.caller;
      deps.cors?.admitTenant(req, res, caller.tenant.id);
      const accept = req.headers.accept ?? '';
      if (!accept.includes('text/event-stream'))
        throw new Refusal(406, `${EVENT_STREAM_PATH} answers with "Accept: text/event-stream" only`, 'NOT_ACCEPTABLE');
      const lastEventId = req.headers['last-event-id'];
      const session = openSession(deps, req, caller, {
        resumeFrom: typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : undefined,
      });
      const context: StreamContext = { session, ids: [] };
      const [body, init] = await handler({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: {
          // graphql-sse matches the header exactly; any Accept naming event streams asks for one.
          get: (key) => (key === 'accept' ? 'text/event-stream' : headerOf(req, key)),
        },
        body: () => readBody(req, deps.maxBodyBytes),
        raw: req,
        context,
      });
      res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
      if (!body || typeof body === 'string') return void res.end(body ?? undefined);
      const stop = () => void body.return(undefined);
      res.once('close', stop);
      deps.observer?.opened('sse');
      try {
        for await (const message of body) {
          if (!res.writable) break;
          res.write(withEventId(message, context.ids));
          // A client that stopped reading: end here rather than buffer without bound.
          if (res.writableLength > MAX_UNREAD_BYTES) break;
        }
      } finally {
        deps.observer?.closed('sse');
        res.off('close', stop);
        if (res.writable) await body.return(undefined);
        res.end();
      }
    },
  };
}

/** Private: a `next` message naming an event gets its id as the SSE `id:` field (what `Last-Event-ID` echoes). */
function withEventId(message: string, ids: (string | null)[]): string {
  if (!message.startsWith('event: next\n')) return message;
  const id = ids.shift();
  return id ? `id: ${id}\n${message}` : message;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join('\n') : value;
}
