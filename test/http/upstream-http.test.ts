import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayErrorCode } from '../../src/domain/errors.js';
import { createSecretScrub, SCRUBBED } from '../../src/http/secret-scrub.js';
import { createUpstreamHttp, type UpstreamHttp, type UpstreamRequest } from '../../src/http/upstream-http.js';

/**
 * The vendor call itself, against a real HTTP server on loopback: how a body
 * arrives (declared or chunked, in one piece or many, after a 1xx) does not
 * change what is parsed, a credential echoed across chunks is still scrubbed,
 * and the cap and the per-attempt timeout cut the exchange.
 */

const SECRET = 'leen_live_key_5f0c2a9e71';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Writes `parts` one by one, each after the previous one has left, so they travel as separate chunks. */
async function writeApart(res: ServerResponse, parts: readonly string[]) {
  for (const part of parts) {
    if (!res.write(part)) await once(res, 'drain');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  res.end();
}

let server: Server;
let base: string;
let http: UpstreamHttp;

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = { 'content-type': 'application/json' };
    switch (req.url) {
      case '/declared-bom': {
        const body = Buffer.concat([BOM, Buffer.from('{"ok":true}')]);
        res.writeHead(200, { ...json, 'content-length': String(body.length) }).end(body);
        return;
      }
      case '/chunked-bom':
        res.writeHead(200, json);
        void writeApart(res, [BOM.toString('utf8'), '{"ok":', 'true}']);
        return;
      case '/many-chunks':
        res.writeHead(200, json);
        void writeApart(res, JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => i) }).match(/.{1,7}/g)!);
        return;
      case '/echo-split':
        res.writeHead(422, json);
        void writeApart(res, ['{"detail":"bad key ', SECRET.slice(0, 9), SECRET.slice(9), '"}']);
        return;
      case '/early-hints':
        res.writeEarlyHints({ link: '</x>; rel=preload' });
        res.writeHead(200, json).end('{"after":"hints"}');
        return;
      case '/empty':
        res.writeHead(204).end();
        return;
      case '/declared-large':
        res.writeHead(200, { ...json, 'content-length': '4096' }).end('x'.repeat(4096));
        return;
      case '/streamed-large':
        res.writeHead(200, json);
        void writeApart(
          res,
          Array.from({ length: 64 }, () => 'x'.repeat(128)),
        );
        return;
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = createUpstreamHttp({ timeoutMs: 200, maxResponseBytes: 2048, retry: { maxAttempts: 1 } });
});

afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  server.close();
});

const get = (path: string, extra: Partial<UpstreamRequest> = {}) =>
  http.send({
    vendor: 'LEEN',
    tenantId: 'tenant',
    idempotent: true,
    method: 'GET',
    url: `${base}${path}`,
    route: path,
    headers: { 'x-api-key': SECRET },
    ...extra,
  });

describe('a vendor call', () => {
  it('a declared-length body loses its byte order mark before it is parsed', async () => {
    expect(await get('/declared-bom')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('so does a chunked one: a tolerant reader parses the same JSON however it was framed', async () => {
    expect(await get('/chunked-bom')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('a body in many chunks is parsed whole', async () => {
    const response = await get('/many-chunks');
    expect(response.body).toEqual({ items: Array.from({ length: 50 }, (_, i) => i) });
  });

  it('a credential echoed across two chunks is still scrubbed before parsing', async () => {
    const response = await get('/echo-split', { scrub: createSecretScrub([SECRET]) });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ detail: `bad key ${SCRUBBED}` });
  });

  it('a 1xx before the answer is skipped; its status and headers are not the answer', async () => {
    const response = await get('/early-hints');
    expect(response).toMatchObject({ status: 200, body: { after: 'hints' } });
    expect(response.headers.link).toBeUndefined();
  });

  it('an empty body is undefined', async () => {
    expect(await get('/empty')).toMatchObject({ status: 204, body: undefined });
  });

  it.each(['/declared-large', '/streamed-large'])('%s: past the cap, UPSTREAM_RESPONSE_TOO_LARGE', async (path) => {
    await expect(get(path)).rejects.toMatchObject({
      code: GatewayErrorCode.UPSTREAM_RESPONSE_TOO_LARGE,
      details: { status: 200 },
    });
  });

  it('an attempt past its timeout is cut: UPSTREAM_TIMEOUT, and the next call on the pool still answers', async () => {
    await expect(get('/hang')).rejects.toMatchObject({ code: GatewayErrorCode.UPSTREAM_TIMEOUT });
    expect(await get('/empty')).toMatchObject({ status: 204 });
  });
});
