import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  collectTraffic,
  contractCoverage,
  discoverOrganizations,
  unexercisedOperations,
} from '../helpers/contract-coverage.js';
import { formatViolation, validateTraffic } from '../helpers/contracts.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * ProjectManager's contract (shared/contracts/projectmanager.yaml), driven
 * through the gateway: both operations, including the failure envelopes the
 * sandbox answers with HTTP 200, and every request and sandbox response
 * validated against the contract.
 */

const DISCONNECT = `mutation ($input: DisconnectIntegrationInput!) {
  disconnectIntegration(input: $input) { connection { externalId status } userErrors { code message } }
}`;
const NOT_ACTIVATED = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b'; // QuickBooks: in the catalogue, not activated for Acme
const UNKNOWN_PROVIDER = '00000000-0000-4000-8000-00000000beef';

const revoked = { id: 'revoked', apiKey: newApiKey('revoked') };

describe('ProjectManager contract', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      extraTenants: (sandbox) => [
        {
          id: revoked.id,
          apiKeySha256: [sha256(revoked.apiKey)],
          vendors: {
            projectmanager: {
              baseUrl: sandbox.get('PROJECTMANAGER').url,
              organizations: [{ id: 'acme', token: 'pm_revoked_token' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it('drives every ProjectManager operation, on success and error paths, and all traffic conforms to projectmanager.yaml', async () => {
    const { traffic, stop } = collectTraffic(stack.sandbox.get('PROJECTMANAGER'));
    try {
      // listProviders: 200 per workspace, 401 for a revoked token.
      const organizations = await discoverOrganizations(stack, 'PROJECTMANAGER');
      expect(organizations.length).toBeGreaterThanOrEqual(2);
      const acme = organizations.find((o) => o.externalId === 'acme')!;
      expect((await stack.gql(`{ providers(vendor: PROJECTMANAGER) { slug } }`)).body.errors).toBeUndefined();
      const denied = await stack.gql(`{ organizations { connections { id } } }`, undefined, {
        apiKey: revoked.apiKey,
      });
      expect(denied.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAUTHORIZED',
        vendor: 'PROJECTMANAGER',
      });

      // disconnectUserIntegrationProviderConnection: success, and the failure envelopes (HTTP 200, success: false).
      const connected = acme.connections.find((c) => c.status === 'ACTIVE')!;
      const done = await stack.gql(DISCONNECT, { input: { connectionId: connected.id } });
      expect(done.body.data!.disconnectIntegration).toMatchObject({
        connection: { externalId: connected.externalId, status: 'DISCONNECTED' },
        userErrors: [],
      });
      for (const [provider, code] of [
        [NOT_ACTIVATED, 'NOT_CONNECTED'],
        [UNKNOWN_PROVIDER, 'NOT_FOUND'],
      ] as const) {
        const failed = await stack.gql(DISCONNECT, { input: { organizationId: acme.id, provider } });
        expect(failed.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code }] });
      }
      // A provider id that is not a UUID never reaches ProjectManager.
      const before = traffic.length;
      const invalid = await stack.gql(DISCONNECT, { input: { organizationId: acme.id, provider: 'slack' } });
      expect(invalid.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code: 'INVALID_INPUT' }] });
      expect(traffic.length).toBe(before);
    } finally {
      stop();
    }

    expect(validateTraffic('PROJECTMANAGER', traffic).map(formatViolation)).toEqual([]);
    const coverage = contractCoverage('PROJECTMANAGER', traffic);
    expect(unexercisedOperations(coverage)).toEqual([]);
    // The contract documents only 200; the 401 is the sandbox's auth check (bearer security), not validated as a body.
    expect(Object.fromEntries(coverage.map((c) => [c.operationId, c.statuses]))).toEqual({
      listProviders: [200, 401],
      disconnectUserIntegrationProviderConnection: [200],
    });
    const deletes = traffic.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => (r.responseBody as { statusCode: string }).statusCode)).toEqual([
      'OK',
      'Conflict',
      'NotFound',
    ]);
    // Every request names the caller, as the contract's optional x-integration-name header allows.
    expect(new Set(traffic.map((r) => r.headers['x-integration-name']))).toEqual(new Set(['junction']));
  });
});
