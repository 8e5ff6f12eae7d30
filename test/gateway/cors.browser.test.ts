import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { launchLoopbackChromium, type LoopbackBrowser } from '../helpers/browser.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * CORS as a browser enforces it: Debian's chromium loads a frontend page from
 * another loopback origin, whose script calls Junction with fetch and an
 * Authorization header (so every call is preflighted). Three frontends: one on
 * the global allow-list, one on tenant globex's list, one on no list.
 */

/** A frontend: its script calls the gateway and reports what the page could read, or how fetch failed. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>A frontend on another origin</title>
<script>
  window.callJunction = async (url, apiKey, query, variables) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json() };
    } catch (error) {
      return { failed: error.name };
    }
  };
</script>`;

type PageResult =
  | { status: number; requestId: string | null; body: { data?: Record<string, unknown>; errors?: unknown[] } }
  | { failed: string };

async function startFrontend(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const GLOBEX_KEY = newApiKey('globex');
const QUERY = '{ organizations { vendor } }';
const DISCONNECT = `mutation ($id: ID!) { disconnectIntegration(input: { connectionId: $id }) { dryRun connection { id } } }`;

describe('CORS in a browser', () => {
  let stack: TestStack;
  let browser: LoopbackBrowser;
  let allowed: Awaited<ReturnType<typeof startFrontend>>;
  let globexOnly: Awaited<ReturnType<typeof startFrontend>>;
  let stranger: Awaited<ReturnType<typeof startFrontend>>;
  /** The gateway's request log: what reached it, as method and status. */
  const seen: { method: string; status: number }[] = [];

  beforeAll(async () => {
    [allowed, globexOnly, stranger] = await Promise.all([startFrontend(), startFrontend(), startFrontend()]);
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string; route?: string; method: string; status: number };
          if (entry.msg === 'request completed' && entry.route === '/graphql')
            seen.push({ method: entry.method, status: entry.status });
        }
        done();
      },
    });
    stack = await startStack({
      config: { production: true, cors: { allowedOrigins: [allowed.origin] } },
      start: { logger: createLogger('info', log) },
      extraTenants: (sandbox) => [
        {
          id: 'globex',
          apiKeySha256: [sha256(GLOBEX_KEY)],
          allowedOrigins: [globexOnly.origin],
          vendors: {
            leen: {
              baseUrl: sandbox.get('LEEN').url,
              apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
              organizations: [{ id: LEEN_SEED[1]!.id, displayName: 'Globex' }],
            },
          },
        },
      ],
    });
    // No interception: while Playwright intercepts, it answers preflights itself and the test would prove nothing.
    browser = await launchLoopbackChromium({ intercept: false });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    for (const frontend of [allowed, globexOnly, stranger]) frontend?.server.close();
  });
  beforeEach(async () => {
    await stack.reset();
    seen.length = 0;
  });

  /** Opens the frontend at `origin` and has its script call the gateway. */
  async function callFrom(origin: string, apiKey: string, query: string, variables?: unknown): Promise<PageResult> {
    const page = await browser.context.newPage();
    try {
      expect((await page.goto(`${origin}/`))?.status()).toBe(200);
      return await page.evaluate(
        ([url, key, q, v]) =>
          (globalThis as unknown as { callJunction: (...a: unknown[]) => Promise<PageResult> }).callJunction(
            url,
            key,
            q,
            v,
          ),
        [stack.gateway.url, apiKey, query, variables] as const,
      );
    } finally {
      await page.close();
    }
  }

  const aConnection = async () => {
    const { body } = await stack.gql<{ connections: { nodes: { id: string }[] } }>('{ connections { nodes { id } } }');
    const id = body.data!.connections.nodes[0]!.id;
    await stack.reset();
    seen.length = 0;
    return id;
  };

  it('a page on an allowed origin reads the data and the exposed request id', { timeout: 60_000 }, async () => {
    const result = await callFrom(allowed.origin, stack.tenant.apiKey, QUERY);
    expect(result).toMatchObject({ status: 200, requestId: expect.stringMatching(/.+/) });
    const vendors = (result as unknown as { body: { data: { organizations: { vendor: string }[] } } }).body.data
      .organizations;
    expect(new Set(vendors.map((o) => o.vendor)).size).toBe(5);
    // Preflighted: the browser asked first, then sent the POST.
    await expect
      .poll(() => seen)
      .toEqual([
        { method: 'OPTIONS', status: 204 },
        { method: 'POST', status: 200 },
      ]);
    expect(new Set(browser.requests.map((r) => new URL(r.url()).hostname))).toEqual(new Set(['127.0.0.1']));
  });

  it(
    'a page on another origin is blocked by the browser: fetch rejects, the mutation never reaches a vendor',
    { timeout: 60_000 },
    async () => {
      const id = await aConnection();
      for (const [query, variables] of [
        [DISCONNECT, { id }],
        [QUERY, undefined],
      ] as const) {
        expect(await callFrom(stranger.origin, stack.tenant.apiKey, query, variables)).toEqual({ failed: 'TypeError' });
      }
      // The preflight was refused, so the browser never sent the requests themselves.
      await expect
        .poll(() => seen)
        .toEqual([
          { method: 'OPTIONS', status: 403 },
          { method: 'OPTIONS', status: 403 },
        ]);
      expect(stack.sandbox.totalRequests()).toBe(0);
    },
  );

  it(
    "a tenant's origin works with its own key only; with another tenant's the browser gets nothing",
    { timeout: 60_000 },
    async () => {
      // Another tenant's key first: the browser caches an accepted preflight for Max-Age, and this one must be seen.
      const id = await aConnection();
      const other = await callFrom(globexOnly.origin, stack.tenant.apiKey, DISCONNECT, { id });
      expect(other).toEqual({ failed: 'TypeError' });
      // The preflight cannot know the tenant and passed; the request itself was refused once authenticated.
      await expect
        .poll(() => seen)
        .toEqual([
          { method: 'OPTIONS', status: 204 },
          { method: 'POST', status: 403 },
        ]);
      expect(stack.sandbox.totalRequests()).toBe(0);

      const own = await callFrom(globexOnly.origin, GLOBEX_KEY, QUERY);
      expect(own).toMatchObject({ status: 200, body: { data: { organizations: [{ vendor: 'LEEN' }] } } });
    },
  );
});
