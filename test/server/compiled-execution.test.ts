import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compiledExecution } from '../../src/server/compiled-execution.js';

/**
 * A leaf that cannot be answered (null where the schema says non-null, an Error
 * in its place, a value its type cannot serialize) must give the same answer
 * from a compiled run as from graphql-js: the same errors (message, locations,
 * path) and the data nulled up to the same parent. Junction's vendor data is
 * validated before it reaches a leaf, so no running gateway produces these
 * values: a schema of its own, executed through src/server/compiled-execution.ts
 * under Apollo as the gateway does it.
 */

// graphql-jit as it is, but every run of a query it compiled is counted: the proof the second run is compiled.
const compiledRuns = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql-jit', async (importOriginal) =>
  (await import('../helpers/compiled-runs.js')).countingCompiledRuns(await importOriginal(), compiledRuns),
);

const typeDefs = /* GraphQL */ `
  enum Status {
    ACTIVE
    PAUSED
  }
  type Tag {
    label: String!
  }
  type Item {
    id: ID!
    name: String!
    status: Status!
    note: String
    tags: [Tag!]!
  }
  type Organization {
    name: String!
    items: [Item!]
  }
  type Query {
    organization(fault: String!): Organization
    count(fault: String!): Int!
    other: String
  }
`;

/** Private: an organization of three items; the second one's leaf named by `fault` holds the bad value. */
function organization(fault: string) {
  const item = (n: number) => ({
    id: `i${n}`,
    name: `item ${n}`,
    status: 'ACTIVE',
    note: null,
    tags: [{ label: 'a' }],
  });
  const faulty: Record<string, unknown> = item(1);
  if (fault === 'name-null') faulty.name = null;
  if (fault === 'name-error') faulty.name = new Error('the vendor said no');
  if (fault === 'status-out-of-range') faulty.status = 'ARCHIVED';
  if (fault === 'note-error') faulty.note = new Error('no note today');
  if (fault === 'label-null') faulty.tags = [{ label: null }];
  return { name: 'Acme', items: [item(0), faulty, item(2)] };
}

const schema = makeExecutableSchema({
  typeDefs,
  resolvers: {
    Query: {
      organization: (_: unknown, { fault }: { fault: string }) => organization(fault),
      count: (_: unknown, { fault }: { fault: string }) => (fault === 'count-unserializable' ? 'many' : 3),
      other: () => 'kept',
    },
  },
});

// One line, so a field's location is its column in this text.
const QUERY =
  'query Faulty($fault: String!) { other organization(fault: $fault) { name items { id name status note tags { label } } } }';
const COUNT_QUERY = 'query Count($fault: String!) { other count(fault: $fault) }';
/** Private: where the field `name` first selected after the text `after` starts in `query`, as GraphQL locates it. */
function at(query: string, name: string, after = '{') {
  const field = new RegExp(` ${name}[ (]`, 'g');
  field.lastIndex = query.indexOf(after);
  return [{ line: 1, column: field.exec(query)!.index + 2 }];
}

describe('compiled execution answers a leaf it cannot serialize as graphql-js does', () => {
  const server = new ApolloServer({ gateway: compiledExecution(schema), includeStacktraceInErrorResponses: false });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  /**
   * Runs a document twice with the same variables, graphql-js first then compiled (the count proves it), and
   * returns the answer, which must be the same both times. A comment after the operation makes each case a
   * document of its own (a first run on graphql-js each), and leaves every location where it was.
   */
  const twice = async (query: string, fault: string) => {
    const run = async () => {
      const response = await server.executeOperation({ query: `${query} # ${fault}`, variables: { fault } });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult;
    };
    const compiledBefore = compiledRuns.count;
    const first = await run();
    expect(compiledRuns.count).toBe(compiledBefore);
    const second = await run();
    expect(compiledRuns.count).toBe(compiledBefore + 1);
    expect(second).toEqual(first);
    return second;
  };

  const unchanged = organization('none').items;
  const error = (message: string, locations: { line: number; column: number }[], path: (string | number)[]) => ({
    message,
    locations,
    path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });

  it.each([
    ['name-null', 'Cannot return null for non-nullable field Item.name.'],
    ['name-error', 'the vendor said no'],
    ['status-out-of-range', 'Enum "Status" cannot represent value: "ARCHIVED"'],
  ])('a non-null leaf of a list item (%s): its error, and the list nulled', async (fault, message) => {
    const field = fault.split('-')[0]!;
    const result = await twice(QUERY, fault);
    expect(result.errors).toEqual([error(message, at(QUERY, field, 'items'), ['organization', 'items', 1, field])]);
    // The item cannot be null in its list, the list can: the organization keeps its name.
    expect(result.data).toEqual({ other: 'kept', organization: { name: 'Acme', items: null } });
  });

  it('a non-null leaf two lists down: the path carries both indexes', async () => {
    const result = await twice(QUERY, 'label-null');
    expect(result.errors).toEqual([
      error('Cannot return null for non-nullable field Tag.label.', at(QUERY, 'label'), [
        'organization',
        'items',
        1,
        'tags',
        0,
        'label',
      ]),
    ]);
    expect(result.data).toEqual({ other: 'kept', organization: { name: 'Acme', items: null } });
  });

  it('a nullable leaf holding an Error: its error, and only that leaf nulled', async () => {
    const result = await twice(QUERY, 'note-error');
    expect(result.errors).toEqual([error('no note today', at(QUERY, 'note'), ['organization', 'items', 1, 'note'])]);
    const items = unchanged.map((item, index) => ({ ...item, ...(index === 1 && { note: null }) }));
    expect(result.data).toEqual({ other: 'kept', organization: { name: 'Acme', items } });
  });

  it('a non-null leaf of the root that cannot be serialized: its error, and no data', async () => {
    const result = await twice(COUNT_QUERY, 'count-unserializable');
    expect(result.errors).toEqual([
      error('Int cannot represent non-integer value: "many"', at(COUNT_QUERY, 'count'), ['count']),
    ]);
    expect(result.data).toBeNull();
  });

  it('answers the same leaves, all serializable, with no error', async () => {
    const result = await twice(QUERY, 'none');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ other: 'kept', organization: { name: 'Acme', items: unchanged } });
  });
});
