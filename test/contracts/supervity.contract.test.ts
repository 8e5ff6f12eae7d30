import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import {
  collectTraffic,
  contractCoverage,
  discoverOrganizations,
  unexercisedOperations,
} from '../helpers/contract-coverage.js';
import { formatViolation, validateTraffic } from '../helpers/contracts.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Supervity's contract (shared/contracts/workflows.yaml), driven through the
 * gateway: every operation, on success and error paths, and every request and
 * sandbox response validated against the contract. The contract documents no
 * error responses, so error statuses are checked for their requests only.
 */

const DISCONNECT = `mutation ($input: DisconnectIntegrationInput!) {
  disconnectIntegration(input: $input) { disconnectedActionCount userErrors { code field } }
}`;
const SHARING = `mutation ($input: UpdateSharingInput!) {
  updateSharing(input: $input) { connection { sharedTeamKeys } userErrors { code } }
}`;

const revoked = { id: 'revoked', apiKey: newApiKey('revoked') };

describe('Supervity contract', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      extraTenants: (sandbox) => [
        {
          id: revoked.id,
          apiKeySha256: [sha256(revoked.apiKey)],
          vendors: {
            supervity: {
              baseUrl: sandbox.get('SUPERVITY').url,
              token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZXZva2VkIn0.cmV2b2tlZA',
              organizations: [{ id: 'org_acme' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const supervity = () => stack.sandbox.get('SUPERVITY');

  it('drives every Supervity operation, on success and error paths, and all traffic conforms to workflows.yaml', async () => {
    const { traffic, stop } = collectTraffic(supervity());
    try {
      // getMyIntegrations: 200 per organization (x-active-org), 401 for a revoked token.
      const organizations = await discoverOrganizations(stack, 'SUPERVITY');
      expect(organizations.length).toBeGreaterThanOrEqual(2);
      const acme = organizations.find((o) => o.externalId === 'org_acme')!;
      const denied = await stack.gql(`{ organizations { connections { id } } }`, undefined, {
        apiKey: revoked.apiKey,
      });
      expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'SUPERVITY' });

      // updateAccountSharing: replace the team list, then revoke all sharing with [].
      const workspace = acme.connections.find((c) => c.provider.slug === 'google-workspace')!;
      for (const teamKeys of [['sales', 'eng'], []]) {
        const shared = await stack.gql(SHARING, { input: { connectionId: workspace.id, teamKeys } });
        expect(shared.body.data!.updateSharing).toEqual({ connection: { sharedTeamKeys: teamKeys }, userErrors: [] });
      }

      // disconnectIntegrationAction: one action, then all actions of another integration.
      const action = workspace.actions![0]!.name;
      const one = await stack.gql(DISCONNECT, { input: { connectionId: workspace.id, action } });
      expect(one.body.data!.disconnectIntegration).toEqual({ disconnectedActionCount: 1, userErrors: [] });
      const github = acme.connections.find((c) => c.provider.slug === 'github')!;
      const all = await stack.gql(DISCONNECT, { input: { connectionId: github.id, confirmProvider: 'github' } });
      expect(all.body.data!.disconnectIntegration).toEqual({
        disconnectedActionCount: github.actions!.length,
        userErrors: [],
      });

      // A 404 when the action was disconnected elsewhere after the gateway read (and cached) /me.
      const racing = workspace.actions![1]!.name;
      await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, { id: workspace.id });
      const elsewhere = await fetch(`${supervity().url}/api/v1/integrations/google-workspace/actions/${racing}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.supervity.token}`, 'x-active-org': 'org_acme' },
      });
      expect(elsewhere.status).toBe(200);
      const gone = await stack.gql(DISCONNECT, { input: { connectionId: workspace.id, action: racing } });
      expect(gone.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code: 'NOT_CONNECTED' }] });
    } finally {
      stop();
    }

    expect(validateTraffic('SUPERVITY', traffic).map(formatViolation)).toEqual([]);
    const coverage = contractCoverage('SUPERVITY', traffic);
    expect(unexercisedOperations(coverage)).toEqual([]);
    expect(Object.fromEntries(coverage.map((c) => [c.operationId, c.statuses]))).toEqual({
      getMyIntegrations: [200, 401],
      updateAccountSharing: [200],
      disconnectIntegrationAction: [200, 404],
    });
    expect(traffic.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { shareWithTeamKeys: ['sales', 'eng'] },
      { shareWithTeamKeys: [] },
    ]);
    // Every read names the organization in x-active-org.
    expect(traffic.filter((r) => r.method === 'GET').every((r) => typeof r.headers['x-active-org'] === 'string')).toBe(
      true,
    );
  });
});
