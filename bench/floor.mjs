/* global process, console, AbortSignal, Buffer -- Node globals; this file is plain JavaScript */
// The floor of `npm run bench`: a bare node:http server that makes the same
// upstream call as the gateway's single-vendor list (one GET to the vendor
// sandbox, through undici's pooled `request`, with the gateway's pool
// settings), parses the JSON and returns it. No GraphQL, no validation, no
// cache. Plain JavaScript run by plain `node`, so nothing but the work itself
// is measured.
//
//   FLOOR_UPSTREAM_URL=http://… FLOOR_UPSTREAM_HEADERS='{"x-api-key":"…"}' node bench/floor.mjs
//
// Prints {"url": "http://127.0.0.1:PORT/"} once listening; stops on SIGTERM.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.FLOOR_UPSTREAM_URL;
const upstreamHeaders = JSON.parse(process.env.FLOOR_UPSTREAM_HEADERS ?? '{}');
if (!upstream) {
  console.error('FLOOR_UPSTREAM_URL is required');
  process.exit(2);
}
const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000, pipelining: 1 });

const server = createServer(async (_req, res) => {
  try {
    const answer = await request(upstream, {
      dispatcher,
      headers: { accept: 'application/json', ...upstreamHeaders },
      signal: AbortSignal.timeout(5000),
    });
    const text = JSON.stringify(await answer.body.json());
    res.writeHead(answer.statusCode, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  } catch {
    res.writeHead(502).end();
  }
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/` })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void dispatcher.close().then(() => process.exit(0));
});
