import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import {
  collectTraffic,
  contractCoverage,
  discoverOrganizations,
  unexercisedOperations,
} from '../helpers/contract-coverage.js';
import { formatViolation, validateTraffic } from '../helpers/contracts.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * UserHub's contract (shared/contracts/userhub.yaml), driven through the
 * gateway: both operations, on success and error paths (UserHub documents its
 * errors as a `default` Status body, which is validated too).
 */

const DELETE = `mutation ($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) { connection { externalId status } organization { externalId } userErrors { code } }
}`;
const UNKNOWN_ORG = 'org_unknown0000000';

const ghost = { id: 'ghost', apiKey: newApiKey('ghost') };
const revoked = { id: 'revoked', apiKey: newApiKey('revoked') };

describe('UserHub contract', () => {
  let stack: TestStack;
  beforeAll(async () => {
    const tenant = (t: typeof ghost, baseUrl: string, apiKey: string, org: string) => ({
      id: t.id,
      apiKeySha256: [sha256(t.apiKey)],
      vendors: { userhub: { baseUrl, apiKey, organizations: [{ id: org }] } },
    });
    stack = await startStack({
      extraTenants: (sandbox) => [
        tenant(ghost, sandbox.get('USERHUB').url, SANDBOX_CREDENTIALS.userhub.apiKey, UNKNOWN_ORG),
        tenant(revoked, sandbox.get('USERHUB').url, 'uh_revoked_key', 'org_28seyVGVL1got6'),
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const userhub = () => stack.sandbox.get('USERHUB');

  it('drives every UserHub operation, on success and error paths, and all traffic conforms to userhub.yaml', async () => {
    const { traffic, stop } = collectTraffic(userhub());
    let externalAccountConnection = '';
    try {
      // getOrganization: 200 per organization, 404 for one UserHub does not know, 401 for a revoked key.
      const organizations = await discoverOrganizations(stack, 'USERHUB');
      expect(organizations.length).toBeGreaterThanOrEqual(2);
      const unknown = await stack.gql(
        `query ($id: ID!) { organization(id: $id) { displayName } }`,
        { id: globalId(['Organization', 'USERHUB', UNKNOWN_ORG]) },
        { apiKey: ghost.apiKey },
      );
      expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const denied = await stack.gql(`{ organizations { connections { id } } }`, undefined, {
        apiKey: revoked.apiKey,
      });
      expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'USERHUB' });

      // disconnectOrganization: plain, and with deleteExternalAccount (confirmed).
      const [first, second] = organizations as [(typeof organizations)[number], (typeof organizations)[number]];
      const plain = first.connections[0]!;
      const done = await stack.gql(DELETE, { input: { connectionId: plain.id } });
      expect(done.body.data!.deleteConnection).toMatchObject({
        connection: { externalId: plain.externalId, status: 'DISCONNECTED' },
        organization: { externalId: first.externalId },
        userErrors: [],
      });
      const external = second.connections[0]!;
      externalAccountConnection = external.externalId;
      const withAccount = await stack.gql(DELETE, {
        input: { connectionId: external.id, deleteExternalAccount: true, confirmConnectionId: external.id },
      });
      expect(withAccount.body.data!.deleteConnection).toMatchObject({ userErrors: [] });

      // A 404 (default Status body) when the connection was disconnected elsewhere after the gateway read it.
      const racing = first.connections[1]!;
      await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, { id: racing.id });
      const elsewhere = await fetch(`${userhub().url}/admin/v1/organizations/${first.externalId}:disconnect`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ connectionId: racing.externalId }),
      });
      expect(elsewhere.status).toBe(200);
      const gone = await stack.gql(DELETE, { input: { connectionId: racing.id } });
      expect(gone.body.data!.deleteConnection).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
    } finally {
      stop();
    }

    expect(validateTraffic('USERHUB', traffic).map(formatViolation)).toEqual([]);
    const coverage = contractCoverage('USERHUB', traffic);
    expect(unexercisedOperations(coverage)).toEqual([]);
    expect(Object.fromEntries(coverage.map((c) => [c.operationId, c.statuses]))).toEqual({
      getOrganization: [200, 401, 404],
      disconnectOrganization: [200, 404],
    });
    expect(traffic.filter((r) => r.method === 'POST').map((r) => r.body)).toContainEqual({
      connectionId: externalAccountConnection,
      deleteExternalAccount: true,
    });
  });
});
