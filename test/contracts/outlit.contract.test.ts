import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { takeContractViolations } from '../helpers/contract-guard.js';
import {
  collectTraffic,
  contractCoverage,
  discoverOrganizations,
  unexercisedOperations,
} from '../helpers/contract-coverage.js';
import { formatViolation, validateTraffic } from '../helpers/contracts.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Outlit's contract (shared/contracts/outlit.yaml), driven through the gateway:
 * every operation the Outlit data source can send, on its success and error
 * paths, and every request and sandbox response validated against the contract.
 */

const DISCONNECT = `mutation ($input: DisconnectIntegrationInput!) {
  disconnectIntegration(input: $input) { connection { externalId status } userErrors { code field } }
}`;
const CONNECTION = `query ($id: ID!) { connection(id: $id) { id status health { name } } }`;

const revoked = { id: 'revoked', apiKey: newApiKey('revoked') };

describe('Outlit contract', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      extraTenants: (sandbox) => [
        {
          id: revoked.id,
          apiKeySha256: [sha256(revoked.apiKey)],
          vendors: {
            outlit: { baseUrl: sandbox.get('OUTLIT').url, organizations: [{ id: 'acme', apiKey: 'ok_revoked_key' }] },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const outlit = () => stack.sandbox.get('OUTLIT');

  it('drives every Outlit operation, on success and error paths, and all traffic conforms to outlit.yaml', async () => {
    const { traffic, stop } = collectTraffic(outlit());
    try {
      // listIntegrations: 200 per organization (one API key each), 401 for a revoked key.
      const organizations = await discoverOrganizations(stack, 'OUTLIT');
      expect(organizations.length).toBeGreaterThanOrEqual(2);
      const acme = organizations.find((o) => o.externalId === 'acme')!;
      const denied = await stack.gql(`{ organizations { connections { id } } }`, undefined, {
        apiKey: revoked.apiKey,
      });
      expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'OUTLIT' });

      // getIntegrationSyncStatus: one connection read by ID.
      const stripe = acme.connections.find((c) => c.provider.slug === 'stripe')!;
      const read = await stack.gql(CONNECTION, { id: stripe.id });
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data!.connection).toMatchObject({ id: stripe.id });

      // disconnectIntegration: 200 for a connected provider, 404 (NOT_CONNECTED) for one that is not.
      const slack = acme.connections.find((c) => c.provider.slug === 'slack')!;
      const done = await stack.gql(DISCONNECT, { input: { connectionId: slack.id } });
      expect(done.body.data!.disconnectIntegration).toMatchObject({ userErrors: [] });
      const notConnected = await stack.gql(DISCONNECT, { input: { organizationId: acme.id, provider: 'attio' } });
      expect(notConnected.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code: 'NOT_CONNECTED' }] });
      // A provider outside the contract's twelve never reaches Outlit.
      const before = traffic.length;
      const invalid = await stack.gql(DISCONNECT, { input: { organizationId: acme.id, provider: 'salesforce' } });
      expect(invalid.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code: 'INVALID_INPUT' }] });
      expect(traffic.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
    } finally {
      stop();
    }

    expect(validateTraffic('OUTLIT', traffic).map(formatViolation)).toEqual([]);
    const coverage = contractCoverage('OUTLIT', traffic);
    expect(unexercisedOperations(coverage)).toEqual([]);
    // 400 and 500 are documented, but the gateway checks the provider first and the sandbox never fails.
    expect(Object.fromEntries(coverage.map((c) => [c.operationId, c.statuses]))).toEqual({
      listIntegrations: [200, 401],
      getIntegrationSyncStatus: [200],
      disconnectIntegration: [200, 404],
    });
    const posts = traffic.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.body)).toEqual([{ provider: 'slack' }, { provider: 'attio' }]);
  });

  it('a disconnect with a property the contract forbids would fail the suite', async () => {
    const res = await fetch(`${outlit().url}/api/integrations/disconnect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.outlit.acme}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'stripe', force: true }),
    });
    expect(res.status).toBe(400);
    expect(takeContractViolations().map(formatViolation)).toEqual([
      '[OUTLIT disconnectIntegration] POST /api/integrations/disconnect — request-body: body has property "force", which the contract does not allow',
    ]);
  });
});
