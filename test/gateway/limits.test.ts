import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/** Operation limits, CSRF prevention, introspection and field suggestions, over HTTP. */

const nested = (depth: number) => {
  // organizations(1) → connections(2) → organization(3) → connections(4) → … → id(depth)
  let selection = 'id';
  for (let level = depth - 1; level >= 2; level--)
    selection = `${level % 2 === 0 ? 'connections' : 'organization'} { ${selection} }`;
  return `{ organizations { ${selection} } }`;
};

const DASHBOARD = `{
  organizations {
    id vendor displayName
    connections(filter: { status: [ACTIVE, ERROR] }) {
      id status vendorStatus
      health { name status description resolutionOwner }
      provider { slug displayName }
      actions { name displayName }
    }
  }
}`;

type Body = { errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown };

describe('operation limits (defaults)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const expectRejected = async (query: string, limit: string) => {
    const { status, body } = await stack.gql(query);
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit });
    expect(body.data).toBeUndefined();
    expect(stack.sandbox.totalRequests()).toBe(0);
    return body.errors![0]!;
  };

  it('accepts a dashboard query and the full introspection query that tooling sends', async () => {
    const dashboard = await stack.gql(DASHBOARD);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.errors).toBeUndefined();
    const introspection = await stack.gql(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
  });

  it('accepts 12 levels of nesting and rejects 13 with 400 OPERATION_LIMIT_EXCEEDED (depth)', async () => {
    const ok = await stack.gql(nested(12));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    await stack.reset();
    const error = await expectRejected(nested(13), 'depth');
    expect(error.message).toBe('Query depth limit of 12 exceeded, found 13.');
    expect(error.extensions).toMatchObject({ max: 12 });
  });

  it('rejects more than 30 aliases', async () => {
    const aliases = (n: number) =>
      `{ organizations { ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} } }`;
    // __typename aliases are free (armor's allow-list); aliases of real fields count.
    const fields = (n: number) => `{ organizations { ${Array.from({ length: n }, (_, i) => `f${i}: id`).join(' ')} } }`;
    expect((await stack.gql(aliases(100))).status).toBe(200);
    expect((await stack.gql(fields(30))).status).toBe(200);
    await stack.reset();
    await expectRejected(fields(31), 'aliases');
  });

  it('rejects more than 30 root fields, counting those inside fragments', async () => {
    // The same field repeated without aliases: only the root-field limit applies.
    const roots = (n: number) => Array.from({ length: n }, () => 'providers(vendor: LEEN) { slug }').join(' ');
    expect((await stack.gql(`{ ${roots(30)} }`)).status).toBe(200);
    await stack.reset();
    const error = await expectRejected(
      `{ ${roots(20)} ...More } fragment More on Query { ${roots(11)} }`,
      'rootFields',
    );
    expect(error.message).toBe('Root fields limit of 30 exceeded, found 31.');
  });

  it('stops parsing past 5000 tokens', async () => {
    const huge = `{ organizations(ids: [${Array.from({ length: 5000 }, () => '"x"').join(',')}]) { id } }`;
    const error = await expectRejected(huge, 'tokens');
    expect(error.message).toBe('Token limit of 5000 exceeded.');
  });

  it('answers a batch (a JSON array) with 400 when batching is off, the default', async () => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('CSRF prevention: a simple GET or a text/plain POST is refused with 400 before executing', async () => {
    const url = new URL(stack.gateway.url);
    url.searchParams.set('query', '{ organizations { id } }');
    const get = await fetch(url, { headers: { authorization: `Bearer ${stack.tenant.apiKey}` } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    const post = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${stack.tenant.apiKey}` },
      body: JSON.stringify({ query: '{ organizations { id } }' }),
    });
    expect(post.status).toBe(400);
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('with introspection on (the default), unknown fields get "Did you mean" hints', async () => {
    const { status, body } = await stack.gql('{ organizationz { id } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/Did you mean/);
  });
});

describe('configured limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      config: { limits: { maxCost: 40, maxBodyBytes: 2_000, batching: true, maxBatchOperations: 2 } },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it('rejects an operation above the configured cost', async () => {
    expect((await stack.gql('{ organizations { id displayName } }')).status).toBe(200);
    await stack.reset();
    const { status, body } = await stack.gql(DASHBOARD);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'cost', max: 40 });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('answers 413 PAYLOAD_TOO_LARGE above the configured body size', async () => {
    const { status, body } = await stack.gql(`{ __typename }`, { padding: 'x'.repeat(2_000) });
    expect(status).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('executes a batch up to the configured size and rejects a larger one with 400 BATCH_LIMIT_EXCEEDED', async () => {
    const post = (n: number) =>
      fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ providers(vendor: LEEN) { slug } }' }))),
      });
    const two = await post(2);
    expect(two.status).toBe(200);
    expect(((await two.json()) as Body[]).map((r) => r.errors)).toEqual([undefined, undefined]);
    await stack.reset();
    const three = await post(3);
    expect(three.status).toBe(400);
    expect(((await three.json()) as Body).errors?.[0]?.extensions?.code).toBe('BATCH_LIMIT_EXCEEDED');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});

describe('production mode', () => {
  let stack: TestStack;
  const internalMessage = 'cache node 10.1.2.3:6379 refused AUTH for user junction';
  beforeAll(async () => {
    const { createMemoryCache } = await import('../../src/cache/memory-cache.js');
    const memory = createMemoryCache();
    let broken = false;
    stack = await startStack({
      env: { NODE_ENV: 'production' },
      start: {
        // A cache that breaks its never-throw contract on demand: an internal failure with an internal message.
        cache: {
          ...memory,
          getMany: async (keys) => {
            if (broken) throw new Error(internalMessage);
            return memory.getMany(keys);
          },
          clear: async () => {
            broken = true;
            await memory.clear();
          },
        },
      },
    });
  });
  afterAll(() => stack.close());

  it('masks unexpected errors: no internal message, no stack trace', async () => {
    await stack.reset(); // arms the broken cache
    const { status, body } = await stack.gql('{ organizations { connections { id } } }');
    expect(status).toBe(200);
    expect(body.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain('10.1.2.3');
    expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('turns introspection and field suggestions off', async () => {
    const introspection = await stack.gql('{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(400);
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await stack.gql('{ organizationz { id } }');
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo.body)).not.toMatch(/stacktrace/);
  });

  it('can turn introspection back on (JUNCTION_INTROSPECTION=true)', async () => {
    const on = await startStack({
      sharedSandbox: stack.sandbox,
      env: { NODE_ENV: 'production', JUNCTION_INTROSPECTION: 'true' },
    });
    try {
      const { status, body } = await on.gql('{ __schema { queryType { name } } }');
      expect(status).toBe(200);
      expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await on.close();
    }
  });
});

describe('limits configuration', () => {
  it('has the documented defaults, and reads the body size and batching from the environment', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    expect(loadConfig({}).limits).toEqual({
      maxBodyBytes: 1_000_000,
      maxDepth: 12,
      maxAliases: 30,
      maxRootFields: 30,
      maxDestructiveFields: 1,
      maxTokens: 5000,
      maxCost: 5000,
      batching: false,
      maxBatchOperations: 10,
    });
    expect(loadConfig({}).idempotency).toEqual({ ttlSeconds: 86_400, waitMs: 15_000 });
    expect(loadConfig({ JUNCTION_MAX_BODY_BYTES: '2048', JUNCTION_BATCHING: 'true' }).limits).toMatchObject({
      maxBodyBytes: 2048,
      batching: true,
    });
  });

  it('refuses a limit that is not a positive integer, naming the key', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    expect(() => loadConfig({}, { limits: { maxDepth: 0, maxCost: 'lots' } })).toThrow(
      /limits\.maxDepth[\s\S]*limits\.maxCost/,
    );
  });
});
