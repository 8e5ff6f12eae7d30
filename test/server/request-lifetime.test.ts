import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloServer } from '../../src/server/apollo.js';

/**
 * What an answered request leaves behind must go with the next young-generation collection. When
 * anything in the old generation points at a request's objects (a per-request object used as a prototype,
 * an object literal with per-request accessors, and on Node 20 a literal that adds members after a
 * spread), V8 keeps the whole request through every young collection until a full one, copying and
 * promoting it: a loaded gateway spent more on that than on anything else. Apollo's gateway path made such
 * a literal for every request until patched (patches/@apollo+server+*.patch). The probe: a context
 * holding a marker per request, executed as the gateway executes (createApolloServer, compiled
 * execution), then young collections only, then how many of the markers' bytes they did not collect (V8's
 * sampling heap profiler, told to forget what young collections free).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;

const typeDefs = /* GraphQL */ `
  type Item {
    id: ID!
    status: String!
  }
  type Query {
    items(owner: ID!): [Item!]!
  }
`;
const schema = makeExecutableSchema({
  typeDefs,
  resolvers: {
    Query: {
      items: async (_root: unknown, { owner }: { owner: string }) =>
        Array.from({ length: 20 }, (_, i) => ({ id: `${owner}-${i}`, status: 'CONNECTED' })),
    },
  },
});
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const server = createApolloServer({ logger: silent as never, typeDefs, schema, introspection: false });
const query = 'query Items($owner: ID!) { items(owner: $owner) { id status } }';
const headers = new HeaderMap([
  ['content-type', 'application/json'],
  ['accept', 'application/json'],
]);

beforeAll(() => server.start());
afterAll(() => server.stop());

/** Every marker is sampled: V8 samples an allocation per this many bytes on average, and a marker is far larger. */
const SAMPLING_BYTES = 256;
const MARKER_ITEMS = 4096;

/** A request's own allocation, found in the heap profile by this function's name. */
function allocateRequestMarker(request: number): object {
  return { request, payload: new Array(MARKER_ITEMS).fill(request) };
}

async function answerRequests(count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const marker = allocateRequestMarker(i);
    const answer = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query, variables: { owner: `o${i}` } } },
      context: async () => ({ marker, request: { trace: {} } }) as never,
    });
    expect(answer.status ?? 200).toBe(200);
  }
}

interface ProfileNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: ProfileNode[];
}
const markerBytes = (node: ProfileNode): number =>
  (node.callFrame.functionName === allocateRequestMarker.name ? node.selfSize : 0) +
  node.children.reduce((sum, child) => sum + markerBytes(child), 0);

describe('an answered request', () => {
  it('is gone after young-generation collections, with no full collection in between', async () => {
    // Compiled from the second run on; the document, its plan and Apollo's caches are made and kept by then.
    await answerRequests(4);
    gc({ type: 'major', execution: 'sync' });
    const session = new Session();
    session.connect();
    try {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      });
      const requests = 40;
      await answerRequests(requests, 4);
      gc({ type: 'minor', execution: 'sync' });
      gc({ type: 'minor', execution: 'sync' });
      const { profile } = await session.post('HeapProfiler.stopSampling');
      const oneMarker = MARKER_ITEMS * 8;
      // A request a young collection happened to run during may have been promoted with good reason; a few at most.
      expect(markerBytes(profile.head as ProfileNode) / oneMarker).toBeLessThan(4);
      // The probe sees markers at all: one made now and still held is counted.
      await session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_BYTES });
      const held = allocateRequestMarker(-1);
      const { profile: holding } = await session.post('HeapProfiler.stopSampling');
      expect(markerBytes(holding.head as ProfileNode) / oneMarker).toBeGreaterThan(0.5);
      expect(held).toBeDefined();
    } finally {
      session.disconnect();
    }
  });
});
