import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { DashboardDocument, DeleteConnectionDocument } from '../client/__generated__/graphql.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';
import { createClient } from './client.js';

const MANIFEST = 'test/client/__generated__/persisted-documents.json';
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const [ACME] = LEEN_SEED as [(typeof LEEN_SEED)[number]];
const TENABLE_ID = globalId(['Connection', 'LEEN', ACME.id, ACME.connections[0]!.id]);

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(stack: TestStack, body: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const res = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('automatic persisted queries on the cache store', () => {
  // Two gateway instances on one sandbox and one cache store: what two replicas behind Redis are.
  let first: TestStack;
  let second: TestStack;
  const cache = createMemoryCache();
  beforeAll(async () => {
    first = await startStack({ start: { cache } });
    second = await startStack({ sharedSandbox: first.sandbox, start: { cache } });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });
  beforeEach(() => first.reset());

  const QUERY = '{ organizations { displayName } }';

  it('miss → PERSISTED_QUERY_NOT_FOUND; register on one instance; the hash alone then works on the other', async () => {
    const miss = await post(first, { extensions: apq(sha256(QUERY)) });
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(first.sandbox.totalRequests()).toBe(0);

    const register = await post(first, { query: QUERY, extensions: apq(sha256(QUERY)) });
    expect(register.status).toBe(200);
    expect(register.body.data?.organizations).toContainEqual({ displayName: 'Globex' });

    const hit = await post(second, { extensions: apq(sha256(QUERY)) });
    expect(hit.status).toBe(200);
    expect(hit.body.data).toEqual(register.body.data);
  });

  it('refuses a hash that does not match the query, and registers nothing', async () => {
    const wrong = sha256('{ providers(vendor: LEEN) { slug } }');
    const res = await post(first, { query: QUERY, extensions: apq(wrong) });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toBe('provided sha does not match query');
    const after = await post(second, { extensions: apq(wrong) });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('an invalid operation is not registered', async () => {
    const invalid = '{ organizations { noSuchField } }';
    const res = await post(first, { query: invalid, extensions: apq(sha256(invalid)) });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await post(first, { extensions: apq(sha256(invalid)) });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  // Apollo hashes each document it receives; patches/ remembers the hashes of recent documents.
  it('a document sent before is hashed the same again, also after hundreds of others, and a wrong hash still fails', async () => {
    const register = async (query: string, hash = sha256(query)) => post(first, { query, extensions: apq(hash) });
    expect((await register(QUERY)).status).toBe(200);
    expect((await register(QUERY, sha256(`${QUERY} `))).body.errors?.[0]?.message).toBe(
      'provided sha does not match query',
    );
    for (let i = 0; i < 600; i++) {
      const other = `query Other${i} { __typename }`;
      const res = await register(other);
      expect(res.body.data).toEqual({ __typename: 'Query' });
    }
    const again = await register(QUERY);
    expect(again.status).toBe(200);
    expect(again.body.data?.organizations).toContainEqual({ displayName: 'Globex' });
    const hit = await post(second, { extensions: apq(sha256('query Other7 { __typename }')) });
    expect(hit.body.data).toEqual({ __typename: 'Query' });
    // Longer documents are hashed anew each time (none is remembered): still the right hash.
    const long = `${QUERY} # ${'x'.repeat(6_000)}`;
    for (let i = 0; i < 2; i++) expect((await register(long)).status).toBe(200);
  });
  it("urql's persisted exchange: the full query crosses the wire once, then only hashes, across instances", async () => {
    const a = createClient(first.gateway.url, first.tenant.apiKey, 'apq');
    const one = await a.client.query(DashboardDocument, {}).toPromise();
    expect(one.error).toBeUndefined();
    expect(a.sent.map((b) => 'query' in b)).toEqual([false, true]); // miss, then register

    const b = createClient(second.gateway.url, second.tenant.apiKey, 'apq');
    const two = await b.client.query(DashboardDocument, {}).toPromise();
    expect(two.data).toEqual(one.data);
    expect(b.sent.map((body) => 'query' in body)).toEqual([false]);
  });
});

describe('safelist mode', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { persistedOperations: { mode: 'safelist', manifests: [MANIFEST] } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const refused = (res: { status: number; body: Body }) => {
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_SAFELISTED');
    expect(stack.sandbox.totalRequests()).toBe(0);
  };

  it('runs pinned operations by hash alone: the query text never crosses the wire', async () => {
    const { client, sent } = createClient(stack.gateway.url, stack.tenant.apiKey, 'pinned');
    const dashboard = await client.query(DashboardDocument, {}).toPromise();
    expect(dashboard.error).toBeUndefined();
    expect(dashboard.data!.organizations).toContainEqual(
      expect.objectContaining({ vendor: 'LEEN', displayName: 'Globex' }),
    );
    const dryRun = await client
      .mutation(DeleteConnectionDocument, { input: { connectionId: TENABLE_ID, dryRun: true } })
      .toPromise();
    expect(dryRun.data!.deleteConnection).toMatchObject({ dryRun: true, userErrors: [] });
    expect(sent.map((b) => 'query' in b)).toEqual([false, false]);
  });

  it('accepts documentId "sha256:<hex>" (GraphQL over HTTP persisted documents) and the exact manifest text', async () => {
    const [id, text] = Object.entries(manifest).find(([, doc]) => doc.startsWith('query Dashboard'))!;
    const byId = await post(stack, { documentId: id });
    expect(byId.status).toBe(200);
    expect(byId.body.data?.organizations).toContainEqual(
      expect.objectContaining({ vendor: 'LEEN', displayName: 'Globex' }),
    );
    const byText = await post(stack, { query: text });
    expect(byText.body.data).toEqual(byId.body.data);
  });

  it('resolves a hash sent over GET too', async () => {
    const [id] = Object.entries(manifest).find(([, doc]) => doc.startsWith('query Dashboard'))!;
    const url = new URL(stack.gateway.url);
    url.searchParams.set('extensions', JSON.stringify(apq(id.replace('sha256:', ''))));
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${stack.tenant.apiKey}`, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).data?.organizations).toContainEqual(
      expect.objectContaining({ vendor: 'LEEN', displayName: 'Globex' }),
    );
  });

  it('refuses an operation that is not in the manifest, before any vendor call', async () => {
    refused(await post(stack, { query: '{ organizations { id } }' }));
    // A safelisted operation's text, reformatted, is a different operation as far as the safelist goes.
    const [, text] = Object.entries(manifest).find(([, doc]) => doc.startsWith('query Dashboard'))!;
    refused(await post(stack, { query: `${text}\n` }));
  });

  it('refuses an unknown hash, by documentId or APQ extension, and introspection', async () => {
    const res = await post(stack, { documentId: `sha256:${sha256('{ organizations { id } }')}` });
    refused(res);
    expect(res.body.errors?.[0]?.message).toMatch(/^No safelisted operation has the hash [0-9a-f]{64}\.$/);
    refused(await post(stack, { extensions: apq(sha256('mutation { x }')) }));
    refused(await post(stack, { query: '{ __schema { types { name } } }' }));
  });

  it('still authenticates first: an unknown key is 401, not a safelist answer', async () => {
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer jk_not_a_key' },
      body: JSON.stringify({ documentId: Object.keys(manifest)[0] }),
    });
    expect(res.status).toBe(401);
  });

  it('needs a manifest, and refuses to start on a manifest that does not match the schema or its hashes', async () => {
    expect(() => loadConfig({ JUNCTION_PERSISTED_OPERATIONS: 'safelist' }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ JUNCTION_PERSISTED_OPERATIONS: 'safelist' }, {})).toThrow(
      /persistedOperations\.manifests: safelist mode needs at least one manifest/,
    );
    expect(() => loadConfig({ JUNCTION_PERSISTED_OPERATIONS: 'off' }, {})).toThrow(/persistedOperations\.mode/);
    const fromEnv = loadConfig(
      { JUNCTION_PERSISTED_OPERATIONS: 'safelist', JUNCTION_OPERATION_MANIFESTS: 'web.json, automation.json' },
      {},
    );
    expect(fromEnv.persistedOperations).toEqual({
      mode: 'safelist',
      manifests: ['web.json', 'automation.json'],
      apqTtlSeconds: 86_400,
    });
    const dir = mkdtempSync(join(tmpdir(), 'junction-manifest-'));
    const stale = '{ organizations { noSuchField } }';
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        [`sha256:${sha256(stale)}`]: stale,
        [`sha256:${sha256('x')}`]: '{ providers(vendor: LEEN) { slug } }',
      }),
    );
    const failing = startStack({
      sharedSandbox: stack.sandbox,
      config: { persistedOperations: { mode: 'safelist', manifests: [join(dir, 'bad.json')] } },
    });
    await expect(failing).rejects.toThrow(/does not validate: Cannot query field "noSuchField"/);
    await expect(failing).rejects.toThrow(/is not the SHA-256 of its document/);
  });
});
