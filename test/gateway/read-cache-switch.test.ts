import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/global-id.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const ACME = LEEN_SEED[0]!;
const QUERY = `query ($id: ID!) { organization(id: $id) { connections { id } } }`;
const acmeId = encodeGlobalId({ typename: 'Organization', vendor: 'LEEN', organizationId: ACME.id, keys: [] });

describe('cache.enabled', () => {
  let cached: TestStack;
  let uncached: TestStack;
  beforeAll(async () => {
    cached = await startStack();
    uncached = await startStack({ sharedSandbox: cached.sandbox, config: { cache: { enabled: false } } });
  });
  afterAll(async () => {
    await uncached.close();
    await cached.close();
  });

  it('defaults to true: a repeated read is served from the cache', async () => {
    await cached.reset();
    for (let i = 0; i < 3; i += 1) expect((await cached.gql(QUERY, { id: acmeId })).body.errors).toBeUndefined();
    expect(cached.sandbox.totalRequests()).toBe(1);
  });

  it('false: every request reads from the vendor, and still answers correctly', async () => {
    await uncached.reset();
    for (let i = 0; i < 3; i += 1) {
      const { body } = await uncached.gql<{ organization: { connections: unknown[] } }>(QUERY, { id: acmeId });
      expect(body.data?.organization.connections).toHaveLength(ACME.connections.length);
    }
    expect(uncached.sandbox.totalRequests()).toBe(3);
  });

  it('marks GraphQL responses uncacheable for HTTP caches (tenant data)', async () => {
    const res = await fetch(cached.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cached.tenant.apiKey}` },
      body: JSON.stringify({ query: QUERY, variables: { id: acmeId } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
