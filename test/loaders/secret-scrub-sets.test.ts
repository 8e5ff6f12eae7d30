import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createNoCache } from '../../src/cache/no-cache.js';
import { Secret } from '../../src/config/secret.js';
import { createUpstreamHttp } from '../../src/http/upstream-http.js';
import { createReadThrough } from '../../src/loaders/upstream-transport.js';
import { createLogger } from '../../src/observability/logger.js';

/**
 * A request's secret scrub is shared by every request with the same secrets: each request must still have
 * its own secrets scrubbed, whichever request came before with other ones. The vendor echoes what it got.
 */

const Echo = z.object({ key: z.string(), caller: z.string() });
const http = createUpstreamHttp();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ key: req.headers['x-api-key'], caller: req.headers['x-caller'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('secret scrub per set of secrets', () => {
  const reads = createReadThrough({
    cache: createNoCache(),
    http,
    ttlSeconds: { connections: 0, organization: 0, providers: 0 },
    logger: createLogger('silent'),
  });
  const echo = (caller: string, apiKey: Secret) =>
    reads
      .forRequest('tenant-a', { headers: { 'x-caller': caller }, secrets: [caller] })({
        vendor: 'LEEN',
        baseUrl,
        headers: { 'x-api-key': apiKey },
        scope: 'leen',
      })
      .read({ path: '/echo', route: '/echo', resource: 'connections', schema: Echo });

  it("scrubs each request's own secrets and the endpoint's credential, request after request", async () => {
    const apiKey = new Secret('endpoint-key-0123456789');
    await expect(echo('caller-one-0123456789', apiKey)).resolves.toEqual({ key: '[redacted]', caller: '[redacted]' });
    // Same endpoint credential, another caller: its own key goes, not the first caller's scrub reused.
    await expect(echo('caller-two-0123456789', apiKey)).resolves.toEqual({ key: '[redacted]', caller: '[redacted]' });
    // Another credential with the first caller's key.
    await expect(echo('caller-one-0123456789', new Secret('endpoint-key-other-98765'))).resolves.toEqual({
      key: '[redacted]',
      caller: '[redacted]',
    });
  });
});
