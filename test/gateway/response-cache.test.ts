import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { encodeGlobalId } from '../../src/domain/global-id.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { manualClock } from '../helpers/clock.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Whole query answers from the cache (src/server/response-cache.ts): served
 * without running GraphQL while every vendor read they were built from is
 * current; never across tenants, users or variables; never an error.
 */

const [ACME, GLOBEX] = [LEEN_SEED[0]!, LEEN_SEED[1]!];
const orgId = (organizationId: string) =>
  encodeGlobalId({ typename: 'Organization', vendor: 'LEEN', organizationId, keys: [] });
const LIST = `query List($id: ID!) { organization(id: $id) { connections { id status } } }`;
const DELETE = `mutation Delete($id: ID!) {
  deleteConnection(input: { connectionId: $id }) { connection { id status } userErrors { code } }
}`;
type ListData = { organization: { connections: { id: string; status: string }[] } };

describe('response cache', () => {
  let stack: TestStack;
  const lines: Record<string, unknown>[] = [];
  const otherKey = newApiKey('other');
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    stack = await startStack({
      start: { logger: createLogger('info', sink) },
      // A second tenant configured with the same Leen organization: same query, same variables, its own answers.
      extraTenants: (sandbox) => [
        {
          id: 'other',
          apiKeySha256: [sha256(otherKey)],
          vendors: {
            leen: {
              baseUrl: sandbox.get('LEEN').url,
              apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
              organizations: [{ id: ACME.id, displayName: ACME.name }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const list = async (id = ACME.id, apiKey?: string) => {
    const result = await stack.gql<ListData>(LIST, { id: orgId(id) }, apiKey ? { apiKey } : {});
    expect(result.body.errors).toBeUndefined();
    return result;
  };
  const leenCalls = () => stack.sandbox.get('LEEN').stats().total;

  it('answers a repeated query whole, without a vendor call, with the same body and headers and its own request id', async () => {
    const first = await list();
    const callsAfterFirst = leenCalls();
    expect(callsAfterFirst).toBeGreaterThan(0);
    const second = await list();
    expect(leenCalls()).toBe(callsAfterFirst);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('cache-control')).toBe('no-store');
    // Sent whole, as the first was: its length declared, not chunked.
    expect(first.headers.get('content-length')).toMatch(/^[1-9][0-9]*$/);
    expect(second.headers.get('content-length')).toBe(first.headers.get('content-length'));
    expect(second.headers.get('transfer-encoding')).toBeNull();
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    const logged = lines.filter((l) => l.msg === 'request completed' && l.route === '/graphql').slice(-2);
    expect(logged.map((l) => l.responseCache)).toEqual(['stored', 'hit']);
    expect(logged[1]).toMatchObject({ operationName: 'List', operationType: 'query', outcome: 'ok', tenant: 'acme' });
  });

  it('after a mutation of the vendor, the same query is answered afresh', async () => {
    const before = (await list()).body.data!.organization.connections;
    const target = before.find((c) => c.status !== 'DELETED')!;
    const deleted = await stack.gql(DELETE, { id: target.id });
    expect(deleted.body.errors).toBeUndefined();
    const callsAfterDelete = leenCalls();
    const after = (await list()).body.data!.organization.connections;
    expect(leenCalls()).toBeGreaterThan(callsAfterDelete);
    expect(after).not.toEqual(before);
    expect(after.some((c) => c.id === target.id && c.status === target.status)).toBe(false);
  });

  it('keeps answers apart per variables, per tenant and per forwarded user', async () => {
    await list(ACME.id);
    let calls = leenCalls();
    const globex = await list(GLOBEX.id);
    expect(leenCalls()).toBeGreaterThan(calls);
    expect(globex.body.data!.organization.connections.map((c) => c.id)).not.toContain(
      (await list(ACME.id)).body.data!.organization.connections[0]!.id,
    );

    calls = leenCalls();
    await list(ACME.id, otherKey);
    expect(leenCalls()).toBeGreaterThan(calls);

    calls = leenCalls();
    // Leen takes no user token, but a forwarded one still makes the request that user's (and the cache key theirs).
    await stack.gql(LIST, { id: orgId(ACME.id) }, { headers: { 'x-junction-supervity-token': 'user-1' } });
    await stack.gql(LIST, { id: orgId(ACME.id) }, { headers: { 'x-junction-supervity-token': 'user-1' } });
    const responseHits = lines.filter((l) => l.responseCache === 'hit').length;
    await stack.gql(LIST, { id: orgId(ACME.id) }, { headers: { 'x-junction-supervity-token': 'user-2' } });
    expect(lines.filter((l) => l.responseCache === 'hit').length).toBe(responseHits);
    expect(leenCalls()).toBe(calls);
  });

  it('never caches an answer that lists a vendor failure, even one the vendor sent as a 200', async () => {
    // ProjectManager reports failures in a 200 envelope; the across-vendor list turns it into a vendorErrors entry.
    const ACROSS = '{ connections { nodes { id } vendorErrors { vendor } } }';
    type Across = { connections: { vendorErrors: { vendor: string }[] } };
    stack.sandbox.get('PROJECTMANAGER').addFault({
      status: 200,
      body: {
        error: { message: 'Temporarily unavailable' },
        success: false,
        hasError: true,
        statusCode: 'ServiceUnavailable',
      },
      times: 1,
    });
    const failed = await stack.gql<Across>(ACROSS);
    expect(failed.body.data!.connections.vendorErrors.map((e) => e.vendor)).toEqual(['PROJECTMANAGER']);
    const recovered = await stack.gql<Across>(ACROSS);
    expect(recovered.body.data!.connections.vendorErrors).toEqual([]);
  });

  it('never caches an answer with errors: the next request asks the vendor again', async () => {
    stack.sandbox.get('LEEN').addFault({ status: 400, body: { error: 'bad_request' }, times: 1 });
    const failed = await stack.gql(LIST, { id: orgId(ACME.id) });
    expect(failed.body.errors?.length).toBeGreaterThan(0);
    const calls = leenCalls();
    const ok = await list();
    expect(leenCalls()).toBeGreaterThan(calls);
    expect(ok.body.data!.organization.connections.length).toBe(ACME.connections.length);
  });
});

describe('response cache lifetime and switch', () => {
  it('keeps an answer no longer than the vendor reads it was built from', async () => {
    // The cache's entries age by a clock the test moves.
    const clock = manualClock();
    const stack = await startStack({
      config: { cache: { ttlSeconds: { organization: 60, connections: 60, providers: 60 } } },
      start: { now: clock.now },
    });
    try {
      await stack.gql(LIST, { id: orgId(ACME.id) });
      const calls = stack.sandbox.totalRequests();
      await stack.gql(LIST, { id: orgId(ACME.id) });
      expect(stack.sandbox.totalRequests()).toBe(calls);
      clock.advance(59_000);
      await stack.gql(LIST, { id: orgId(ACME.id) });
      expect(stack.sandbox.totalRequests()).toBe(calls);
      clock.advance(1_001); // past the reads' 60 s
      const late = await stack.gql(LIST, { id: orgId(ACME.id) });
      expect(late.body.errors).toBeUndefined();
      expect(stack.sandbox.totalRequests()).toBeGreaterThan(calls);
    } finally {
      await stack.close();
    }
  });

  it('serves an answer only to the tenant configuration it was built with: a renamed organization shows at once', async () => {
    const shared = createMemoryCache();
    const original = await startStack({ start: { cache: shared } });
    const key = newApiKey('renamed');
    const tenant = demoTenantConfig(original.sandbox, 'acme', key) as {
      vendors: { leen: { organizations: { id: string; displayName: string }[] } };
    };
    tenant.vendors.leen.organizations = tenant.vendors.leen.organizations.map((o) => ({
      ...o,
      displayName: `${o.displayName} (renamed)`,
    }));
    // Another deployment of the same tenant, on the same cache, with the organization renamed in its config.
    const renamed = await startStack({
      sharedSandbox: original.sandbox,
      start: { cache: shared },
      config: { tenants: [tenant] },
    });
    try {
      const NAME = `query Name($id: ID!) { organization(id: $id) { displayName connections { id } } }`;
      type NameData = { organization: { displayName: string } };
      const first = await original.gql<NameData>(NAME, { id: orgId(ACME.id) });
      expect(first.body.data?.organization.displayName).toBe(ACME.name);
      expect((await original.gql<NameData>(NAME, { id: orgId(ACME.id) })).body).toEqual(first.body);
      const after = await renamed.gql<NameData>(NAME, { id: orgId(ACME.id) }, { apiKey: key });
      expect(after.body.data?.organization.displayName).toBe(`${ACME.name} (renamed)`);
    } finally {
      await renamed.close();
      await original.close();
    }
  });

  it('never serves an answer to a deployment whose operation limits would refuse the query', async () => {
    const shared = createMemoryCache();
    const lenient = await startStack({ start: { cache: shared } });
    // The same tenant, key and cache; only the limits differ (LIST is four levels deep).
    const strict = await startStack({
      sharedSandbox: lenient.sandbox,
      start: { cache: shared },
      config: {
        limits: { maxDepth: 2 },
        tenants: [demoTenantConfig(lenient.sandbox, 'acme', lenient.tenant.apiKey)],
      },
    });
    try {
      const asAcme = { apiKey: lenient.tenant.apiKey };
      expect((await lenient.gql(LIST, { id: orgId(ACME.id) }, asAcme)).body.errors).toBeUndefined();
      expect((await lenient.gql(LIST, { id: orgId(ACME.id) }, asAcme)).status).toBe(200);
      const refused = await strict.gql(LIST, { id: orgId(ACME.id) }, asAcme);
      expect(refused.status).toBe(400);
      expect(refused.body.data).toBeUndefined();
    } finally {
      await strict.close();
      await lenient.close();
    }
  });

  it('cache.responses false: every query runs, its reads still come from the cache', async () => {
    const stack = await startStack({ config: { cache: { responses: false } } });
    try {
      for (let i = 0; i < 3; i += 1) await stack.gql(LIST, { id: orgId(ACME.id) });
      const metrics = await (await fetch(stack.gateway.url.replace('/graphql', '/metrics'))).text();
      expect(metrics).not.toMatch(/junction_response_cache_total\{/);
      expect(metrics).toMatch(/junction_cache_lookups_total\{vendor="LEEN",result="hit"\} [1-9]/);
    } finally {
      await stack.close();
    }
  });
});
