import { Session } from 'node:inspector/promises';
import { HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createApolloServer } from '../../src/server/apollo.js';

/**
 * Run by test/server/request-lifetime.test.ts in a process of its own, with the gateway's node flags and
 * --expose-gc: answers requests through createApolloServer (compiled execution), each with a context
 * holding a marker, runs young-generation collections only, and prints how many markers' worth of bytes
 * they left, as V8's sampling heap profiler (told to forget what young collections free) finds them.
 */

const collect = (globalThis as unknown as { gc: (options: { type: 'minor' | 'major'; execution: 'sync' }) => void }).gc;
const REQUESTS = 40;
/** Every marker is sampled: V8 samples an allocation per this many bytes on average, and a marker is far larger. */
const SAMPLING_BYTES = 256;
const MARKER_ITEMS = 4096;

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

/** A request's own allocation, found in the heap profile by this function's name. */
function allocateRequestMarker(request: number): object {
  return { request, payload: new Array(MARKER_ITEMS).fill(request) };
}

async function answerRequests(count: number, from: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const marker = allocateRequestMarker(i);
    const answer = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query, variables: { owner: `o${i}` } } },
      context: async () => ({ marker, request: { trace: {} } }) as never,
    });
    if ((answer.status ?? 200) !== 200) throw new Error(`request ${i} answered ${answer.status}`);
  }
}

interface ProfileNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: ProfileNode[];
}
const markersIn = (node: ProfileNode): number =>
  (node.callFrame.functionName === allocateRequestMarker.name ? node.selfSize / (MARKER_ITEMS * 8) : 0) +
  node.children.reduce((sum, child) => sum + markersIn(child), 0);

await server.start();
// Compiled from the second run on; the document, its plan and Apollo's caches are made and kept by then.
await answerRequests(4, 0);
collect({ type: 'major', execution: 'sync' });
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: SAMPLING_BYTES,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: false,
});
await answerRequests(REQUESTS, 4);
collect({ type: 'minor', execution: 'sync' });
collect({ type: 'minor', execution: 'sync' });
const { profile: answered } = await session.post('HeapProfiler.stopSampling');
// The probe sees markers at all: one made now and still held is counted.
await session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_BYTES });
const held = allocateRequestMarker(-1);
const { profile: holding } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
await server.stop();
process.stdout.write(
  `${JSON.stringify({
    requests: REQUESTS,
    keptAfterYoungCollections: markersIn(answered.head as ProfileNode),
    heldNow: held ? markersIn(holding.head as ProfileNode) : 0,
  })}\n`,
);
