import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { BadUserInputError, UnauthenticatedError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayContext } from './context.js';
import type { OperationGate } from './persisted-operations.js';

/**
 * Apollo Server on Node's own http server (no framework: the gateway needs
 * three routes, and every layer in front of Apollo costs throughput on each
 * request). Routes: /graphql (GET and POST), /healthz.
 */

export interface HttpServerOptions {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly context: (req: IncomingMessage) => Promise<GatewayContext>;
  readonly logger: Logger;
  /** Largest request body accepted, in bytes. @default 1_000_000 */
  readonly maxBodyBytes?: number;
  /** Safelist mode: admits (and resolves hashes of) operations after authentication, before Apollo. */
  readonly operationGate?: OperationGate;
  /** Operations in one batched POST (a JSON array), when batching is on; Apollo rejects arrays when it is off. */
  readonly maxBatchOperations?: number | undefined;
}

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
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    const text = await readBody(req, options.maxBodyBytes ?? 1_000_000);
    const contentType = headers.get('content-type') ?? '';
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
  let context: GatewayContext;
  try {
    context = await options.context(req);
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, requestError(error.message, error.code));
    }
    // A malformed request header (a forwarded credential): refused before Apollo, naming the header only.
    if (error instanceof BadUserInputError) return sendJson(res, 400, requestError(error.message, error.code));
    throw error;
  }
  let search = url.search;
  if (options.operationGate) {
    const admission = options.operationGate({ method: req.method ?? 'GET', body, search });
    if (!admission.ok) {
      context.logger.warn({ code: admission.code, reason: admission.message }, 'operation refused');
      return sendJson(res, admission.status, requestError(admission.message, admission.code));
    }
    ({ body, search } = admission);
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
    context: async () => context,
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') return void res.end(response.body.string);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

export async function startHttpServer(
  options: HttpServerOptions,
  port: number,
  host: string,
): Promise<RunningHttpServer> {
  let accepting = true;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (!accepting) res.setHeader('connection', 'close');
    const route = url.pathname;
    const work =
      route === '/graphql'
        ? handleGraphQL(req, res, options, url)
        : route === '/healthz'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
