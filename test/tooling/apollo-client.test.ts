import { fileURLToPath } from 'node:url';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import {
  ConnectionsAcrossVendorsDocument,
  DashboardDocument,
  DeleteConnectionDocument,
  NodeByIdDocument,
} from '../client/apollo/__generated__/graphql.js';
import introspection from '../client/apollo/__generated__/possible-types.js';
import { DashboardDocument as PlainDashboardDocument } from '../client/__generated__/graphql.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * README's Apollo Client 4 recipe, as written there: documents from the client preset with
 * `__typename` added before hashing, `possibleTypes` from the fragment-matcher plugin, and
 * the persisted query link sending the manifest's hash to a gateway in safelist mode.
 */

const PLAIN_MANIFEST = fileURLToPath(new URL('../client/__generated__/persisted-documents.json', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../client/apollo/__generated__/persisted-documents.json', import.meta.url));
const [ACME] = LEEN_SEED as [(typeof LEEN_SEED)[number]];
const TENABLE = globalId(['Connection', 'LEEN', ACME.id, ACME.connections[0]!.id]);

type Manifested = { __meta__?: { hash?: string } };

function apolloClient(url: string, apiKey: string, sent: Record<string, unknown>[]) {
  const recordingFetch: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
    return fetch(input, init);
  };
  return new ApolloClient({
    link: new PersistedQueryLink({
      // The manifest's own hash ("sha256:<hex>"), not one computed from whatever document Apollo prints.
      generateHash: (document) => (document as Manifested).__meta__!.hash!.replace(/^sha256:/, ''),
    }).concat(new HttpLink({ uri: url, headers: { authorization: `Bearer ${apiKey}` }, fetch: recordingFetch })),
    cache: new InMemoryCache({ possibleTypes: introspection.possibleTypes }),
  });
}

describe('Apollo Client 4 against a gateway in safelist mode', () => {
  let stack: TestStack;
  const sent: Record<string, unknown>[] = [];
  let client: ReturnType<typeof apolloClient>;
  beforeAll(async () => {
    stack = await startStack({ config: { persistedOperations: { mode: 'safelist', manifests: [MANIFEST] } } });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await stack.reset();
    sent.length = 0;
    client = apolloClient(stack.gateway.url, stack.tenant.apiKey, sent);
  });

  it('sends only the manifest hash, and normalizes the answer into its cache', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      const result = await client.query({ query: DashboardDocument, variables: { status: ['ACTIVE', 'PAUSED'] } });
      expect(result.error).toBeUndefined();
      expect(new Set(result.data!.organizations.map((o) => o?.vendor))).toEqual(
        new Set(['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER']),
      );
      expect(sent).toHaveLength(1);
      expect(sent[0]).not.toHaveProperty('query');
      expect(sent[0]!.extensions).toMatchObject({
        persistedQuery: { version: 1, sha256Hash: (DashboardDocument as Manifested).__meta__!.hash!.slice(7) },
      });
      // Normalized by __typename and id: the connection is one cache entry, readable by its ID.
      expect((client.cache.extract() as Record<string, unknown>)[`Connection:${TENABLE}`]).toMatchObject({
        __typename: 'Connection',
        id: TENABLE,
      });
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('matches the inline fragment of a node query through possibleTypes, from the network and from the cache', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const first = await client.query({ query: NodeByIdDocument, variables: { id: TENABLE } });
      expect(first.data!.node).toMatchObject({ __typename: 'Connection', id: TENABLE, status: 'ACTIVE' });
      const cached = await client.query({
        query: NodeByIdDocument,
        variables: { id: TENABLE },
        fetchPolicy: 'cache-only',
      });
      expect(cached.data!.node).toMatchObject({ __typename: 'Connection', status: 'ACTIVE' });
      expect(sent).toHaveLength(1);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('runs a safelisted mutation on an ID taken from a query, and the cache sees the new status', async () => {
    const list = await client.query({
      query: ConnectionsAcrossVendorsDocument,
      variables: { filter: { vendor: ['LEEN'], status: ['ACTIVE'] } },
    });
    const id = list.data!.connections.nodes[0]!.id;
    const deleted = await client.mutate({
      mutation: DeleteConnectionDocument,
      variables: { input: { connectionId: id } },
    });
    expect(deleted.data!.deleteConnection.userErrors).toEqual([]);
    expect(deleted.data!.deleteConnection.connection).toMatchObject({ id, status: 'DISCONNECTED' });
    expect((client.cache.extract() as Record<string, unknown>)[`Connection:${id}`]).toMatchObject({
      status: 'DISCONNECTED',
    });
    expect(sent.every((body) => !('query' in body))).toBe(true);
  });

  it('without the __typename transform, the safelisted document answers without __typename and nothing is normalized', async () => {
    // The plain client preset's manifest: the hash Apollo sends names a document that never asks for __typename.
    const plain = await startStack({
      sharedSandbox: stack.sandbox,
      config: { persistedOperations: { mode: 'safelist', manifests: [PLAIN_MANIFEST] } },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const plainClient = apolloClient(plain.gateway.url, plain.tenant.apiKey, sent);
      await plainClient.query({ query: PlainDashboardDocument, variables: { status: ['ACTIVE'] } }).catch(() => null);
      expect(sent).toHaveLength(1);
      expect(sent[0]).not.toHaveProperty('query');
      const keys = Object.keys(plainClient.cache.extract() as Record<string, unknown>);
      expect(keys.some((key) => key.startsWith('Connection:'))).toBe(false);
    } finally {
      warn.mockRestore();
      error.mockRestore();
      await plain.close();
    }
  });
});
