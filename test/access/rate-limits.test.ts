import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, newApiKey, sha256, startStack, type GraphQLResult, type TestStack } from '../helpers/stack.js';
import { metricValue } from '../resilience/helpers.js';

/**
 * Rate limits on one gateway, counted in memory: every answer carries
 * RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11),
 * a request over its key's or tenant's limit is HTTP 429 RATE_LIMITED with
 * Retry-After, cost is spent once validated and again by a response-cache hit,
 * and one tenant's vendor calls are limited without touching another's.
 */

const KEY_A = newApiKey('globex-a');
const KEY_B = newApiKey('globex-b');
const COSTLY = newApiKey('costly');
const THRIFTY = newApiKey('thrifty');
const LIST = /* GraphQL */ `
  query List($id: ID!) {
    organization(id: $id) {
      id
      connections {
        id
        status
      }
    }
  }
`;
const orgId = (index: number) => globalId(['Organization', 'LEEN', LEEN_SEED[index]!.id]);

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({
    config: {
      rateLimits: {
        enabled: true,
        keyRequests: { points: 3, windowSeconds: 60 },
        tenantRequests: { points: 1000, windowSeconds: 60 },
        keyCost: false,
        tenantCost: false,
        vendorCalls: { points: 1000, windowSeconds: 60 },
      },
    },
    extraTenants: (sandbox) => [
      // Two keys of one tenant: each key has its own three requests, the tenant five in all.
      {
        ...demoTenantConfig(sandbox, 'globex', KEY_A),
        apiKeys: [
          { id: 'frontend', sha256: sha256(KEY_A) },
          { id: 'automation', sha256: sha256(KEY_B) },
        ],
        rateLimits: { tenantRequests: { points: 5, windowSeconds: 30 } },
      },
      {
        ...demoTenantConfig(sandbox, 'costly', COSTLY),
        rateLimits: { keyRequests: false, tenantCost: { points: 30, windowSeconds: 20 } },
      },
      {
        ...demoTenantConfig(sandbox, 'thrifty', THRIFTY),
        rateLimits: { keyRequests: false, vendorCalls: { points: 1, windowSeconds: 45 } },
      },
    ],
  });
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await stack.reset();
});

/** The RateLimit field's items, by policy name. */
function remaining(result: GraphQLResult): Record<string, { r: number; t: number }> {
  const field = result.headers.get('ratelimit') ?? '';
  const out: Record<string, { r: number; t: number }> = {};
  for (const item of field.split(/,\s*/)) {
    const match = /^"([a-z-]+)";r=(\d+);t=(\d+)$/.exec(item);
    if (match) out[match[1]!] = { r: Number(match[2]), t: Number(match[3]) };
  }
  return out;
}

describe('request-count limits', () => {
  it('carries the fields on every answer and refuses the fourth request of a key with 429 and Retry-After', async () => {
    const answers: GraphQLResult[] = [];
    for (let i = 0; i < 4; i++) answers.push(await stack.gql('{ __typename }', undefined, { apiKey: KEY_A }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    for (const answer of answers) {
      expect(answer.headers.get('ratelimit-policy')).toBe('"key-requests";q=3;w=60, "tenant-requests";q=5;w=30');
      expect(answer.headers.get('ratelimit')).toBeTruthy();
    }
    expect(answers.slice(0, 3).map((a) => remaining(a)['key-requests']!.r)).toEqual([2, 1, 0]);
    expect(answers.slice(0, 3).map((a) => remaining(a)['tenant-requests']!.r)).toEqual([4, 3, 2]);
    for (const a of answers) expect(remaining(a)['key-requests']!.t).toBeGreaterThan(0);
    for (const a of answers) expect(remaining(a)['key-requests']!.t).toBeLessThanOrEqual(60);
    const refused = answers[3]!;
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    // The key's window (60 s) decides, not the tenant's (30 s): its points are the ones spent.
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.data).toBeUndefined();

    // The tenant's other key has its own points, until the tenant's five are spent.
    const other = [];
    for (let i = 0; i < 3; i++) other.push(await stack.gql('{ __typename }', undefined, { apiKey: KEY_B }));
    expect(other.map((a) => a.status)).toEqual([200, 429, 429]);
    expect(Number(other[1]!.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(remaining(other[0]!)['key-requests']!.r).toBe(2);

    // Another tenant is untouched; the refusals are counted.
    expect((await stack.gql('{ __typename }')).status).toBe(200);
    const metrics = await (await fetch(stack.gateway.url.replace('/graphql', '/metrics'))).text();
    expect(
      metricValue(metrics, 'junction_rate_limit_refusals_total', { policy: 'key-requests', tenant: 'globex' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'junction_rate_limit_refusals_total', { policy: 'tenant-requests', tenant: 'globex' }),
    ).toBe(2);
  });

  it('refuses an unauthenticated request with 401, spending nothing', async () => {
    const answer = await stack.gql('{ __typename }', undefined, { apiKey: null });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('ratelimit')).toBeNull();
  });
});

describe('cost limits', () => {
  it('spends the validated cost, refuses past it with 429, and a response-cache hit costs the same', async () => {
    const first = await stack.gql(LIST, { id: orgId(0) }, { apiKey: COSTLY });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toContain('"tenant-cost";q=30;w=20');
    // graphql-armor's cost of LIST: organization 2 + (id 1 + connections (2 + 2 × 1) × 1.5) × 1.5 = 11.
    const cost = 30 - remaining(first)['tenant-cost']!.r;
    expect(cost).toBe(11);
    // Repeated: a response-cache hit, spending the same cost again.
    const hit = await stack.gql(LIST, { id: orgId(0) }, { apiKey: COSTLY });
    expect(hit.status).toBe(200);
    expect(remaining(hit)['tenant-cost']!.r).toBe(30 - 2 * cost);
    const metrics = await (await fetch(stack.gateway.url.replace('/graphql', '/metrics'))).text();
    expect(metricValue(metrics, 'junction_response_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);

    // 8 points left, 11 needed: refused once validated, before any resolver runs.
    const calls = stack.sandbox.get('LEEN').requests().length;
    const refused = await stack.gql(LIST, { id: orgId(1) }, { apiKey: COSTLY });
    expect(refused.status).toBe(429);
    expect(stack.sandbox.get('LEEN').requests().length).toBe(calls);
    expect(refused?.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused?.body.data ?? null).toBeNull();
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(refused?.headers.get('ratelimit-policy')).toContain('"tenant-cost";q=30;w=20');
  });
});

describe('vendor-call limits', () => {
  it("refuses a tenant's vendor calls past its limit before sending them, and no other tenant's", async () => {
    const allowed = await stack.gql(LIST, { id: orgId(0) }, { apiKey: THRIFTY });
    expect(allowed.body.errors).toBeUndefined();
    expect(stack.sandbox.get('LEEN').requests()).toHaveLength(1);
    // One call allowed in 45 s: the next read of Leen is refused, never sent.
    const limited = await stack.gql(LIST, { id: orgId(1) }, { apiKey: THRIFTY });
    expect(stack.sandbox.get('LEEN').requests()).toHaveLength(1);
    expect(limited.status).toBe(200);
    const error = limited.body.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
    expect(error?.extensions).toMatchObject({ vendor: 'LEEN' });
    expect(Number(error?.extensions?.retryAfter)).toBeGreaterThan(0);
    expect(Number(error?.extensions?.retryAfter)).toBeLessThanOrEqual(45);

    const other = await stack.gql<{ organization: { id: string } }>(LIST, { id: orgId(1) });
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.organization.id).toBe(orgId(1));
    const metrics = await (await fetch(stack.gateway.url.replace('/graphql', '/metrics'))).text();
    expect(
      metricValue(metrics, 'junction_rate_limit_refusals_total', { policy: 'vendor-calls', tenant: 'thrifty' }),
    ).toBeGreaterThanOrEqual(1);
  });
});
