import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, startStack, type TestStack } from '../helpers/stack.js';

describe('the gateway over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { echoCredentials: true } });
  });
  afterAll(() => stack.close());

  it('GET /healthz answers 200 once started', async () => {
    const res = await fetch(new URL('/healthz', stack.gateway.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves queries over GET /graphql too', async () => {
    const url = new URL(stack.gateway.url);
    url.searchParams.set('query', '{ providers(vendor: LEEN) { slug } }');
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${stack.tenant.apiKey}`, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { providers: { slug: string }[] } };
    expect(body.data.providers.map((p) => p.slug)).toContain('TENABLE');
  });

  it('sends each answer as one JSON document and a newline, multi-byte text whole', async () => {
    const post = async (body: object) => {
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
        body: JSON.stringify(body),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.at(-1)).toBe(0x0a);
      expect(bytes.indexOf(0x0a)).toBe(bytes.length - 1);
      return { status: res.status, body: JSON.parse(bytes.toString('utf8')) as Record<string, unknown> };
    };
    const answered = await post({ query: '{ providers(vendor: LEEN) { slug } }' });
    expect(answered.status).toBe(200);
    expect(answered.body).toHaveProperty('data.providers');
    // The operation name comes back in the error: two-byte characters, so bytes and characters differ.
    const refused = await post({ query: 'query Known { organizations { id } }', operationName: 'Ärger' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('Unknown operation named \\"Ärger\\"');
  });

  it.each([
    ['no Authorization header', null],
    ['an unknown key', 'jk_not_a_key'],
  ])('answers 401 UNAUTHENTICATED with %s, calling no vendor', async (_label, apiKey) => {
    await stack.reset();
    const { status, body } = await stack.gql('{ organizations { id } }', undefined, { apiKey });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it("never passes a vendor's error body (here echoing our API key) to the client", async () => {
    // A second gateway whose Leen key is wrong: the sandbox echoes it back in its 401 body.
    const wrongKey = 'leen_wrong_key_that_must_not_leak_4d2f';
    const tenants = [
      {
        id: 'wrong',
        apiKeySha256: [sha256('jk_wrong')],
        vendors: {
          leen: {
            baseUrl: stack.sandbox.get('LEEN').url,
            apiKey: wrongKey,
            organizations: [{ id: '9b2f1d4e-7a6c-4e11-8f3b-2d5c6a7e8f90' }],
          },
        },
      },
    ];
    const other = await startStack({ sharedSandbox: stack.sandbox, config: { tenants } });
    try {
      const { body } = await other.gql('{ organizations { connections { id } } }', undefined, { apiKey: 'jk_wrong' });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'LEEN' });
      expect(JSON.stringify(body)).not.toContain(wrongKey);
      const echoed = stack.sandbox.get('LEEN').requests().at(-1)!;
      expect(JSON.stringify(echoed.responseBody)).toContain(wrongKey); // the sandbox did echo it
    } finally {
      await other.close();
    }
  });

  it.each([
    ['missing', undefined],
    ['of the wrong type', { ids: { not: 'a list' } }],
  ])(
    'answers a variable %s with 400 BAD_USER_INPUT, naming the variable, before any vendor call',
    async (_label, variables) => {
      await stack.reset();
      const query = 'query Orgs($ids: [ID!]!) { organizations(ids: $ids) { id } }';
      const { status, body } = await stack.gql(query, variables);
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('$ids'),
        locations: [{ line: 1, column: 12 }],
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(body.data).toBeUndefined();
      expect(stack.sandbox.totalRequests()).toBe(0);
    },
  );

  it('reports a resolver error with its path and locations next to the data that resolved', async () => {
    const query = '{ ok: providers(vendor: LEEN) { slug } bad: organization(id: "nope") { id } }';
    const { status, body } = await stack.gql(query);
    expect(status).toBe(200);
    expect((body.data as { ok: unknown[] }).ok.length).toBeGreaterThan(0);
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['bad'],
        locations: [{ line: 1, column: query.indexOf('bad:') + 1 }],
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });

  it('answers unknown routes with 404', async () => {
    const res = await fetch(new URL('/nope', stack.gateway.url));
    expect(res.status).toBe(404);
  });
});
