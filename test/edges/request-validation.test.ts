import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Documents refused while validating, over HTTP: an operationName the document
 * lacks, an operation type the schema lacks, too many destructive fields. Each
 * is a 400 with a typed code and costs no vendor call.
 */

const ACME = LEEN_SEED[0]!;
const connection = (index: number) => globalId(['Connection', 'LEEN', ACME.id, ACME.connections[index]!.id]);
const deletes = (count: number) =>
  `mutation { ${Array.from(
    { length: count },
    (_, i) => `d${i}: deleteConnection(input: { connectionId: "${connection(i % 2)}" }) { userErrors { code } }`,
  ).join(' ')} }`;

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

describe('documents refused while validating', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const send = async (method: 'GET' | 'POST', params: Record<string, string>) => {
    const headers = { authorization: `Bearer ${stack.tenant.apiKey}`, 'apollo-require-preflight': 'true' };
    const res =
      method === 'POST'
        ? await fetch(stack.gateway.url, {
            method,
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(params),
          })
        : await fetch(`${stack.gateway.url}?${new URLSearchParams(params)}`, { headers });
    return { status: res.status, body: (await res.json()) as Body };
  };

  it.each(['GET', 'POST'] as const)('%s: an operationName the document does not define is a 400', async (method) => {
    for (const query of ['query A { __typename }', 'mutation A { __typename }']) {
      const { status, body } = await send(method, { query, operationName: 'C' });
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  it.each(['GET', 'POST'] as const)(
    '%s: a subscription is a 400 naming where subscriptions are served',
    async (method) => {
      for (const params of [
        { query: 'subscription { connectionEvents { id } }' } as Record<string, string>,
        { query: 'subscription S { connectionEvents { id } }', operationName: 'S' },
      ]) {
        const { status, body } = await send(method, params);
        expect(status).toBe(400);
        expect(body.data).toBeUndefined();
        expect(body.errors).toEqual([
          expect.objectContaining({
            message:
              'Subscriptions are served over Server-Sent Events at /graphql/stream and over WebSocket (graphql-transport-ws) at /graphql, not over POST or GET /graphql.',
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        ]);
      }
    },
  );

  it('refuses a second destructive field in one operation: 400 OPERATION_LIMIT_EXCEEDED, no vendor call', async () => {
    for (const count of [2, 20]) {
      const { status, body } = await stack.gql(deletes(count));
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        {
          message: `Destructive fields limit of 1 per operation exceeded, found ${count}.`,
          extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'destructiveFields', max: 1 },
        },
      ]);
    }
    // Fragments spread at the root count too.
    const viaFragment = await stack.gql(
      `fragment Two on Mutation { a: deleteConnection(input: { connectionId: "${connection(0)}" }) { dryRun }
         b: updateSharing(input: { connectionId: "${connection(1)}", teamKeys: [] }) { userErrors { code } } }
       mutation { ...Two __typename }`,
    );
    expect(viaFragment.status).toBe(400);
    expect(viaFragment.body.errors?.[0]?.extensions?.limit).toBe('destructiveFields');
    expect(stack.sandbox.totalRequests()).toBe(0);
    // One destructive field (with __typename beside it) runs.
    const one = await stack.gql(`mutation { __typename ${deletes(1).slice('mutation { '.length)}`);
    expect(one.status).toBe(200);
    expect(one.body.errors).toBeUndefined();
  });
});

describe('destructive fields limit, configured', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { JUNCTION_MAX_DESTRUCTIVE_FIELDS: '3' } });
  });
  afterAll(() => stack.close());

  it('runs up to the configured number and refuses one more', async () => {
    expect((await stack.gql(deletes(3))).status).toBe(200);
    await stack.reset();
    const { status, body } = await stack.gql(deletes(4));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'destructiveFields',
      max: 3,
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});
