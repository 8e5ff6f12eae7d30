/* global process, console, AbortSignal, Buffer, URL -- Node globals; this file is plain JavaScript */
// The floor of `npm run bench`: a bare node:http server that makes the same
// upstream calls as the gateway (GETs to the Leen sandbox through undici's
// pooled `request`, with the gateway's pool settings), parses the JSON and
// returns it. No GraphQL, no validation, no cache. Plain JavaScript run by
// plain `node`, so nothing but the work itself is measured.
//
//   GET /organizations/ORG            one organization's connections (one upstream call)
//   GET /dashboard?ids=ORG1,ORG2,...  several organizations' connections: one call each,
//                                     all at once, merged into one JSON array
//
//   FLOOR_UPSTREAM_URL=http://…/provisioning/organizations FLOOR_UPSTREAM_HEADERS='{"x-api-key":"…"}' node bench/floor.mjs
//
// Prints {"url": "http://127.0.0.1:PORT"} once listening; stops on SIGTERM.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.FLOOR_UPSTREAM_URL?.replace(/\/+$/, '');
const upstreamHeaders = JSON.parse(process.env.FLOOR_UPSTREAM_HEADERS ?? '{}');
if (!upstream) {
  console.error('FLOOR_UPSTREAM_URL is required');
  process.exit(2);
}
const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000, pipelining: 1 });
const headers = { accept: 'application/json', ...upstreamHeaders };

async function connectionsOf(organizationId) {
  const answer = await request(`${upstream}/${encodeURIComponent(organizationId)}/connections`, {
    dispatcher,
    headers,
    signal: AbortSignal.timeout(5000),
  });
  if (answer.statusCode !== 200) {
    await answer.body.dump();
    throw new Error(`upstream answered ${answer.statusCode}`);
  }
  return answer.body.json();
}

async function answer(url) {
  const { pathname, searchParams } = new URL(url, 'http://floor');
  if (pathname.startsWith('/organizations/')) return connectionsOf(decodeURIComponent(pathname.slice(15)));
  if (pathname === '/dashboard') {
    const ids = (searchParams.get('ids') ?? '').split(',').filter(Boolean);
    const lists = await Promise.all(ids.map(connectionsOf));
    return ids.map((id, i) => ({ id, connections: lists[i] }));
  }
  return undefined;
}

const server = createServer(async (req, res) => {
  try {
    const body = await answer(req.url ?? '/');
    if (body === undefined) return void res.writeHead(404).end();
    const text = JSON.stringify(body);
    res.writeHead(200, {
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
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void dispatcher.close().then(() => process.exit(0));
});
