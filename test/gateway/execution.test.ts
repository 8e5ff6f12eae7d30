import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeGlobalId } from '../../src/domain/global-id.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The GraphQL features clients use, through both executors of
 * src/server/compiled-execution.ts: a document's first run is graphql-js's,
 * the next ones are compiled, and both must answer the same. The Node
 * interface and inline fragments, named fragments, aliases, @include/@skip
 * driven by variables.
 */

// graphql-jit as it is, but every run of a query it compiled is counted: the proof the second run is compiled.
const compiledRuns = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql-jit', async (importOriginal) =>
  (await import('../helpers/compiled-runs.js')).countingCompiledRuns(await importOriginal(), compiledRuns),
);

const ACME = LEEN_SEED[0]!;
const orgId = encodeGlobalId({ typename: 'Organization', vendor: 'LEEN', organizationId: ACME.id, keys: [] });

describe('execution', () => {
  let stack: TestStack;
  let connectionId: string;
  beforeAll(async () => {
    stack = await startStack();
    const { body } = await stack.gql<{ organization: { connections: { id: string }[] } }>(
      'query ($id: ID!) { organization(id: $id) { connections { id } } }',
      { id: orgId },
    );
    connectionId = body.data!.organization.connections[0]!.id;
  });
  afterAll(() => stack.close());

  /**
   * Runs a document twice and returns the answer, which must be the same both times: graphql-js runs it
   * first (no compiled run), compiled the second time (one compiled run). An extra, unused variable keeps
   * the response cache out of it.
   */
  let runs = 0;
  const twice = async <T>(query: string, variables: Record<string, unknown>) => {
    const compiledBefore = compiledRuns.count;
    const first = await stack.gql<T>(query, variables);
    expect(compiledRuns.count).toBe(compiledBefore);
    runs += 1;
    const second = await stack.gql<T>(query, { ...variables, unusedRun: runs });
    expect(compiledRuns.count).toBe(compiledBefore + 1);
    expect(second.body).toEqual(first.body);
    return first.body;
  };

  it('resolves node(id:) to its concrete type, applying only the matching inline fragments', async () => {
    const query = `query ($c: ID!, $o: ID!) {
      c: node(id: $c) { __typename id ... on Connection { status provider { slug } } ... on Organization { displayName } }
      o: node(id: $o) { __typename id ... on Connection { status } ... on Organization { displayName } }
    }`;
    const body = await twice<Record<'c' | 'o', Record<string, unknown>>>(query, { c: connectionId, o: orgId });
    expect(body.errors).toBeUndefined();
    expect(body.data!.c).toEqual({
      __typename: 'Connection',
      id: connectionId,
      status: expect.any(String),
      provider: { slug: expect.any(String) },
    });
    expect(body.data!.o).toEqual({ __typename: 'Organization', id: orgId, displayName: ACME.name });
  });

  it('refuses an operationName the document does not define, or none among several operations, as a client error', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
        body: JSON.stringify(body),
      });
    // Three times: the first run, the one that would compile, a compiled one.
    for (let run = 0; run < 3; run += 1) {
      const unknown = await post({ query: '{ __typename }', operationName: 'Dashboard' });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({
        errors: [
          { message: 'Unknown operation named "Dashboard".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
        ],
      });
      const ambiguous = await post({ query: 'query A { __typename } query B { __typename }' });
      expect(ambiguous.status).toBe(400);
      expect(((await ambiguous.json()) as { errors: { message: string }[] }).errors[0]?.message).toBe(
        'Must provide operation name if query contains multiple operations.',
      );
    }
    const named = await post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' });
    expect(await named.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('applies named fragments and aliases', async () => {
    const query = `fragment Brief on Connection { id status }
      query ($id: ID!) { organization(id: $id) { all: connections { ...Brief } again: connections { key: id } } }`;
    const body = await twice<{
      organization: { all: { id: string; status: string }[]; again: { key: string }[] };
    }>(query, { id: orgId });
    expect(body.errors).toBeUndefined();
    const { all, again } = body.data!.organization;
    expect(all).toHaveLength(ACME.connections.length);
    expect(all.every((c) => Object.keys(c).join() === 'id,status')).toBe(true);
    expect(again.map((c) => c.key)).toEqual(all.map((c) => c.id));
  });

  it.each([true, false])('honours @include and @skip driven by a variable (%s)', async (detailed) => {
    // A document of its own per case (the comment), so each case sees its first run on graphql-js.
    const query = `# detailed: ${detailed}
    query ($id: ID!, $detailed: Boolean!) {
      organization(id: $id) { connections { id provider @include(if: $detailed) { slug } status @skip(if: $detailed) } }
    }`;
    const body = await twice<{ organization: { connections: Record<string, unknown>[] } }>(query, {
      id: orgId,
      detailed,
    });
    expect(body.errors).toBeUndefined();
    for (const connection of body.data!.organization.connections) {
      expect(Object.keys(connection)).toEqual(detailed ? ['id', 'provider'] : ['id', 'status']);
    }
  });
});
