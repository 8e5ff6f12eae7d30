import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { FORWARDED_CREDENTIAL_HEADERS } from '../../src/server/forwarded-credentials.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * CORS over HTTP: preflights and the requests that follow, from an origin on
 * the global list, one on a tenant's list, and one on none. The browser's side
 * of it is cors.browser.test.ts.
 */

const GLOBAL = 'https://app.example.com';
const GLOBEX_ORIGIN = 'https://globex.example.com';
const STRANGER = 'https://evil.example.net';
const GLOBEX_KEY = newApiKey('globex');
const QUERY = '{ organizations { vendor } }';
const DISCONNECT = `mutation ($id: ID!) { disconnectIntegration(input: { connectionId: $id }) { dryRun } }`;
const ACCEPTED_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'apollo-require-preflight',
  'x-request-id',
  'traceparent',
  'last-event-id',
  ...Object.values(FORWARDED_CREDENTIAL_HEADERS),
];

const listOf = (value: string | null) => (value ?? '').split(',').map((s) => s.trim().toLowerCase());

describe('CORS', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      config: { production: true, ide: true, cors: { allowedOrigins: [GLOBAL] } },
      extraTenants: (sandbox) => [
        {
          id: 'globex',
          apiKeySha256: [sha256(GLOBEX_KEY)],
          allowedOrigins: [GLOBEX_ORIGIN],
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
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const preflight = (origin: string | undefined, method = 'POST', headers = 'authorization, content-type') =>
    fetch(stack.gateway.url, {
      method: 'OPTIONS',
      headers: {
        ...(origin !== undefined && { origin }),
        'access-control-request-method': method,
        'access-control-request-headers': headers,
        'sec-fetch-site': 'cross-site',
      },
    });
  const post = (origin: string | undefined, apiKey: string | null, query = QUERY, variables?: unknown) =>
    fetch(stack.gateway.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(origin !== undefined && { origin, 'sec-fetch-site': 'cross-site' }),
        ...(apiKey !== null && { authorization: `Bearer ${apiKey}` }),
      },
      body: JSON.stringify({ query, variables }),
    });

  describe('preflight', () => {
    it.each([
      ['the global list', GLOBAL],
      ["a tenant's list (it cannot know the tenant yet)", GLOBEX_ORIGIN],
    ])('an origin on %s: 204 naming it, GET and POST, every header Junction accepts, Max-Age', async (_l, origin) => {
      const res = await preflight(origin, 'POST', ACCEPTED_HEADERS.join(', '));
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(listOf(res.headers.get('access-control-allow-methods')).sort()).toEqual(['get', 'post']);
      expect(listOf(res.headers.get('access-control-allow-headers')).sort()).toEqual([...ACCEPTED_HEADERS].sort());
      expect(res.headers.get('access-control-max-age')).toBe('600');
      // The Authorization header is not a fetch "credential": no cookies, so no Allow-Credentials.
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(listOf(res.headers.get('vary'))).toEqual(
        expect.arrayContaining(['origin', 'access-control-request-method', 'access-control-request-headers']),
      );
      expect(stack.sandbox.totalRequests()).toBe(0);
    });

    it('an origin on no list: 403 ORIGIN_NOT_ALLOWED without any Access-Control header', async () => {
      for (const origin of [STRANGER, 'null', `${GLOBAL}:8443`, GLOBAL.replace('https', 'http')]) {
        const res = await preflight(origin);
        expect(res.status).toBe(403);
        expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
        expect(listOf(res.headers.get('vary'))).toContain('origin');
        const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
        expect(body.errors[0]?.extensions.code).toBe('ORIGIN_NOT_ALLOWED');
      }
    });

    it('OPTIONS without Origin is not a preflight: 204 with Allow', async () => {
      const res = await preflight(undefined);
      expect(res.status).toBe(204);
      expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('the request that follows', () => {
    it('from a global origin: answered, naming the origin and exposing the request id and rate-limit headers', async () => {
      const res = await post(GLOBAL, stack.tenant.apiKey);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(GLOBAL);
      expect(listOf(res.headers.get('access-control-expose-headers')).sort()).toEqual([
        'ratelimit',
        'ratelimit-policy',
        'retry-after',
        'x-request-id',
      ]);
      expect(listOf(res.headers.get('vary'))).toContain('origin');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it("a tenant's origin works with that tenant's key only; with another's it is refused before any vendor call", async () => {
      const own = await post(GLOBEX_ORIGIN, GLOBEX_KEY);
      expect(own.status).toBe(200);
      expect(own.headers.get('access-control-allow-origin')).toBe(GLOBEX_ORIGIN);
      await stack.reset();
      const connection = (
        await stack.gql<{ connections: { nodes: { id: string }[] } }>('{ connections { nodes { id } } }')
      ).body.data!.connections.nodes[0]!.id;
      await stack.reset();
      for (const [query, variables] of [
        [QUERY, undefined],
        [DISCONNECT, { id: connection }],
      ] as const) {
        const res = await post(GLOBEX_ORIGIN, stack.tenant.apiKey, query, variables);
        expect(res.status).toBe(403);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect(res.headers.get('access-control-expose-headers')).toBeNull();
        const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
        expect(body.errors[0]?.extensions.code).toBe('ORIGIN_NOT_ALLOWED');
        expect(body.data).toBeUndefined();
      }
      expect(stack.sandbox.totalRequests()).toBe(0);
    });

    it('from an origin on no list: 403 before authentication, no vendor call, no Access-Control header', async () => {
      for (const key of [stack.tenant.apiKey, null]) {
        const res = await post(STRANGER, key, DISCONNECT, { id: 'anything' });
        expect(res.status).toBe(403);
        expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
        expect(listOf(res.headers.get('vary'))).toContain('origin');
      }
      // A "simple" GET (no preflight) from that origin is refused just the same.
      const get = await fetch(`${stack.gateway.url}?query=${encodeURIComponent(QUERY)}`, {
        headers: { origin: STRANGER, 'sec-fetch-site': 'cross-site', 'apollo-require-preflight': 'true' },
      });
      expect(get.status).toBe(403);
      expect(stack.sandbox.totalRequests()).toBe(0);
    });

    it('an allowed origin can read a refusal too (401 without a key)', async () => {
      const res = await post(GLOBAL, null);
      expect(res.status).toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBe(GLOBAL);
    });

    it("the gateway's own pages (the IDE) are same-origin: served without CORS headers, whatever the lists", async () => {
      const origin = new URL(stack.gateway.url).origin;
      for (const site of [{ 'sec-fetch-site': 'same-origin' }, {}] as Record<string, string>[]) {
        const res = await fetch(stack.gateway.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin,
            authorization: `Bearer ${stack.tenant.apiKey}`,
            ...site,
          },
          body: JSON.stringify({ query: QUERY }),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('Vary: Origin on every /graphql answer: data, cached data, errors, refusals, the IDE page', async () => {
      const answers = [
        await post(undefined, stack.tenant.apiKey),
        await post(undefined, stack.tenant.apiKey), // the response cache's copy
        await post(undefined, stack.tenant.apiKey, '{ nope }'),
        await post(undefined, null),
        await fetch(stack.gateway.url, { headers: { accept: 'text/html' } }),
      ];
      expect(answers.map((res) => res.status)).toEqual([200, 200, 400, 401, 200]);
      for (const res of answers) expect(listOf(res.headers.get('vary'))).toContain('origin');
      expect(listOf(answers[4]!.headers.get('vary'))).toContain('accept');
    });
  });
});

describe('CORS configuration', () => {
  it('defaults to no origin at all (same-origin only), loopback origins off', () => {
    const { cors, tenants } = loadConfig({}, { tenants: [] });
    expect(cors).toEqual({ allowedOrigins: [], allowLoopbackOrigins: false, maxAgeSeconds: 600 });
    expect(tenants).toEqual([]);
  });

  it('JUNCTION_CORS_ORIGINS lists the global origins, comma-separated', () => {
    const { cors } = loadConfig({ JUNCTION_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' });
    expect(cors.allowedOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it.each([
    '*',
    'null',
    'https://a.example.com/',
    'https://A.example.com',
    'a.example.com',
    'ftp://a.example.com',
    'https://a.example.com/app',
  ])('refuses %s: an origin must be listed as browsers send it, never a wildcard', (origin) => {
    expect(() => loadConfig({}, { cors: { allowedOrigins: [origin] } })).toThrow(ConfigError);
  });
});

describe('CORS in the sandbox demo (loopback origins allowed)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { cors: { allowLoopbackOrigins: true } } });
  });
  afterAll(() => stack.close());

  it('answers a dev server on any loopback port, and nothing else', async () => {
    for (const [origin, status] of [
      ['http://localhost:5173', 204],
      ['http://127.0.0.1:3000', 204],
      ['http://[::1]:8080', 204],
      ['http://localhost.example.com', 403],
      ['https://example.com', 403],
    ] as const) {
      const res = await fetch(stack.gateway.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect([origin, res.status]).toEqual([origin, status]);
      expect(res.headers.get('access-control-allow-origin')).toBe(status === 204 ? origin : null);
    }
  });
});
