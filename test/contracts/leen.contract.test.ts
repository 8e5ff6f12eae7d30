import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { collectTraffic, contractCoverage, unexercisedOperations } from '../helpers/contract-coverage.js';
import { formatViolation, loadContract, validateTraffic } from '../helpers/contracts.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Leen's contract (shared/contracts/leen.yaml), driven through the gateway:
 * every operation the Leen data source can send, on its success and error
 * paths, and every request and sandbox response validated against the contract.
 */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const UNKNOWN_ORG = '0d6f4c1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5';
const orgId = (org: string) => globalId(['Organization', 'LEEN', org]);
const connId = (org: string, conn: string) => globalId(['Connection', 'LEEN', org, conn]);

const ORG = `query ($id: ID!) { organization(id: $id) { connections { id status } } }`;
const CONNECTION = `query ($id: ID!) { connection(id: $id) { id status } }`;
const PROVIDERS = `{ providers(vendor: LEEN) { slug } }`;
const DELETE = `mutation ($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) { connection { externalId vendorStatus } userErrors { code } }
}`;

// Two more tenants: one configured with an organization Leen does not know, one with a rejected API key.
const ghost = { id: 'ghost', apiKey: newApiKey('ghost') };
const locked = { id: 'locked', apiKey: newApiKey('locked') };
const leenTenant = (tenant: { id: string; apiKey: string }, baseUrl: string, leenKey: string, org: string) => ({
  id: tenant.id,
  apiKeySha256: [sha256(tenant.apiKey)],
  vendors: { leen: { baseUrl, apiKey: leenKey, organizations: [{ id: org }] } },
});

describe('Leen contract', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      extraTenants: (sandbox) => [
        leenTenant(ghost, sandbox.get('LEEN').url, SANDBOX_CREDENTIALS.leen.apiKey, UNKNOWN_ORG),
        leenTenant(locked, sandbox.get('LEEN').url, 'leen_revoked_key', ACME.id),
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const leen = () => stack.sandbox.get('LEEN');

  it('drives every Leen operation, on success and error paths, and all traffic conforms to leen.yaml', async () => {
    const { traffic, stop } = collectTraffic(leen());
    try {
      // list_connections: 200 for both organizations, 422 for one Leen does not know, 401 for a revoked key.
      for (const org of [ACME, GLOBEX])
        expect((await stack.gql(ORG, { id: orgId(org.id) })).body.errors).toBeUndefined();
      expect((await stack.gql(PROVIDERS)).body.errors).toBeUndefined();
      const unknownOrg = await stack.gql(ORG, { id: orgId(UNKNOWN_ORG) }, { apiKey: ghost.apiKey });
      expect(unknownOrg.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const revoked = await stack.gql(ORG, { id: orgId(ACME.id) }, { apiKey: locked.apiKey });
      expect(revoked.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'LEEN' });

      // get_connection_by_id: 200, and 422 for a connection Leen does not know.
      const target = ACME.connections[0]!;
      expect((await stack.gql(CONNECTION, { id: connId(ACME.id, target.id) })).body.data).toEqual({
        connection: { id: connId(ACME.id, target.id), status: 'ACTIVE' },
      });
      const unknown = await stack.gql(CONNECTION, { id: connId(ACME.id, '00000000-0000-4000-8000-000000000000') });
      expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

      // delete_connection_by_id: 200, then 422 when the connection vanished after the gateway read (and cached) it.
      const deleted = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, target.id) } });
      expect(deleted.body.data!.deleteConnection).toEqual({
        connection: { externalId: target.id, vendorStatus: 'DELETED' },
        userErrors: [],
      });
      const racing = GLOBEX.connections[0]!;
      await stack.gql(CONNECTION, { id: connId(GLOBEX.id, racing.id) });
      const elsewhere = await fetch(`${leen().url}/provisioning/organizations/${GLOBEX.id}/connections/${racing.id}`, {
        method: 'DELETE',
        headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
      });
      expect(elsewhere.status).toBe(200);
      const gone = await stack.gql(DELETE, { input: { connectionId: connId(GLOBEX.id, racing.id) } });
      expect(JSON.stringify(gone.body)).toContain('NOT_FOUND');
    } finally {
      stop();
    }

    expect(traffic.length).toBeGreaterThanOrEqual(10);
    expect(validateTraffic('LEEN', traffic).map(formatViolation)).toEqual([]);
    const coverage = contractCoverage('LEEN', traffic);
    expect(unexercisedOperations(coverage)).toEqual([]);
    expect(Object.fromEntries(coverage.map((c) => [c.operationId, c.statuses]))).toEqual({
      list_connections: [200, 401, 422],
      get_connection_by_id: [200, 422],
      delete_connection_by_id: [200, 422],
    });
    // Every documented status of every operation was produced by the sandbox and validated.
    for (const op of loadContract('LEEN').operations)
      for (const status of op.responses)
        expect(coverage.find((c) => c.operationId === op.operationId)!.statuses).toContain(Number(status));
  });

  it("accepts both a bare array (the contract's assumed list) and a wrapped {items} list", async () => {
    const list = `/provisioning/organizations/${ACME.id}/connections`;
    const bare = await stack.gql(ORG, { id: orgId(ACME.id) });
    const served = leen().requests().at(-1)!;
    // The sandbox's default is the contract's bare array, and the contract check governs it.
    expect(Array.isArray(served.responseBody)).toBe(true);
    expect(validateTraffic('LEEN', [served])).toEqual([]);
    // A wrapped list is off-contract as a default response, so it can only come from a fault here.
    const wrappedBody = { items: served.responseBody };
    expect(validateTraffic('LEEN', [{ ...served, responseBody: wrappedBody }]).map((v) => v.rule)).toEqual([
      'response',
    ]);

    await stack.reset();
    leen().addFault({ method: 'GET', pathPrefix: list, status: 200, body: wrappedBody, times: 1 });
    const wrapped = await stack.gql(ORG, { id: orgId(ACME.id) });
    expect(
      leen()
        .requests()
        .map((r) => r.servedBy),
    ).toEqual(['fault']);
    expect(wrapped.body).toEqual(bare.body);
    expect((bare.body.data!.organization as { connections: unknown[] }).connections).toHaveLength(
      ACME.connections.length,
    );
  });
});
