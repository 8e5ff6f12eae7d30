import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { Secret } from '../../src/config/secret.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { USERHUB_SEED } from '../../src/sandbox/userhub/seed.js';
import { ExternalAccounts } from '../../src/sandbox/userhub/simulator.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

const [ACME, GLOBEX] = USERHUB_SEED as [(typeof USERHUB_SEED)[number], (typeof USERHUB_SEED)[number]];
const orgId = (org: string) => globalId(['Organization', 'USERHUB', org]);
const connId = (org: string, conn: string) => globalId(['Connection', 'USERHUB', org, conn]);
const STRIPE = 'conn_4HdRKnTvPmmjYK';
const AUTH0 = 'conn_8sLmQ2wZxY3aBc';
const HUBSPOT = 'conn_5GhJkL9pQrStUv';
const GET_ORG = 'GET /admin/v1/organizations/{organizationId}';
const DISCONNECT = 'POST /admin/v1/organizations/{organizationId}:disconnect';

const ORGANIZATION = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      id
      externalId
      displayName
      state
      createdAt
      updatedAt
      connections {
        id
        externalId
        status
        vendorStatus
        accountIdentifier
        sharedTeamKeys
        provider {
          slug
          displayName
        }
        health {
          name
          status
          description
        }
        actions {
          name
        }
      }
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      dryRun
      connection {
        id
        status
        accountIdentifier
      }
      organization {
        id
        displayName
        connections {
          id
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

describe('UserHub through the gateway', () => {
  let stack: TestStack;
  const externalAccounts = new ExternalAccounts();
  const stranger = { apiKey: newApiKey('stranger') };
  beforeAll(async () => {
    stack = await startStack({
      sandbox: { userhub: { externalAccounts } },
      // A tenant configured with an organization UserHub does not know.
      extraTenants: (sandbox) => [
        {
          id: 'stranger',
          apiKeySha256: [sha256(stranger.apiKey)],
          vendors: {
            userhub: {
              baseUrl: sandbox.get('USERHUB').url,
              apiKey: SANDBOX_CREDENTIALS.userhub.apiKey,
              organizations: [{ id: 'org_DoesNotExist1' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const userhub = () => stack.sandbox.get('USERHUB');
  const posts = () =>
    userhub()
      .requests()
      .filter((r) => r.method === 'POST');
  const connectionIdsOf = async (org: string) => {
    const { body } = await stack.gql(ORGANIZATION, { id: orgId(org) });
    expect(body.errors).toBeUndefined();
    return (body.data!.organization as { connections: { id: string }[] }).connections.map((c) => c.id);
  };

  it("reads the organization and its account connections from one GET, with UserHub's admin key", async () => {
    const { body } = await stack.gql(ORGANIZATION, { id: orgId(ACME.id) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.organization).toEqual({
      id: orgId(ACME.id),
      externalId: ACME.id,
      displayName: 'Acme Inc',
      state: 'ACTIVE',
      createdAt: '2024-11-15T13:00:00Z',
      updatedAt: '2024-11-15T13:00:00Z',
      connections: [
        {
          id: connId(ACME.id, STRIPE),
          externalId: STRIPE,
          status: 'ACTIVE',
          vendorStatus: 'ACTIVE',
          accountIdentifier: 'cus_Q558vmXbYSPMma',
          sharedTeamKeys: null,
          provider: { slug: 'STRIPE', displayName: 'Stripe' },
          health: { name: 'ACTIVE', status: 'ACTIVE', description: null },
          actions: [],
        },
        {
          id: connId(ACME.id, AUTH0),
          externalId: AUTH0,
          status: 'ERROR',
          vendorStatus: 'BROKEN',
          accountIdentifier: 'auth0|acme',
          sharedTeamKeys: null,
          provider: { slug: 'AUTH0', displayName: 'Auth0' },
          health: { name: 'ACTIVE', status: 'ACTIVE', description: null },
          actions: [],
        },
      ],
    });
    expect(userhub().stats().byRoute).toEqual({ [GET_ORG]: 1 });
    const [request] = userhub().requests();
    expect(request!.path).toBe(`/admin/v1/organizations/${ACME.id}`);
    expect(request!.headers.authorization).toBe(`Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}`);
  });

  it("maps each organization's state and connection states; one tenant connection in two organizations is two connections", async () => {
    const { body } = await stack.gql(ORGANIZATION, { id: orgId(GLOBEX.id) });
    const org = body.data!.organization as { state: string; connections: { id: string; status: string }[] };
    expect(org.state).toBe('DISABLED');
    expect(org.connections.map((c) => [c.id, c.status])).toEqual([
      [connId(GLOBEX.id, STRIPE), 'ACTIVE'],
      [connId(GLOBEX.id, HUBSPOT), 'PENDING'],
    ]);
    const providers = await stack.gql(`{ providers(vendor: USERHUB) { slug displayName } }`);
    expect(providers.body.data!.providers).toEqual([
      { slug: 'AUTH0', displayName: 'Auth0' },
      { slug: 'STRIPE', displayName: 'Stripe' },
      { slug: 'HUBSPOT', displayName: 'Hubspot' },
    ]);
  });

  it('deleteConnection disconnects through :disconnect; the payload is the organization after it, and later reads agree', async () => {
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, STRIPE) } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.deleteConnection).toEqual({
      dryRun: false,
      connection: { id: connId(ACME.id, STRIPE), status: 'DISCONNECTED', accountIdentifier: 'cus_Q558vmXbYSPMma' },
      organization: { id: orgId(ACME.id), displayName: 'Acme Inc', connections: [{ id: connId(ACME.id, AUTH0) }] },
      userErrors: [],
    });
    expect(posts().map((r) => [r.path, r.body])).toEqual([
      [`/admin/v1/organizations/${ACME.id}:disconnect`, { connectionId: STRIPE }],
    ]);
    expect(externalAccounts.deleted()).toEqual([]);
    expect(await connectionIdsOf(ACME.id)).toEqual([connId(ACME.id, AUTH0)]);
    // Only Acme's link went: Globex keeps its Stripe customer through the same tenant connection.
    expect(await connectionIdsOf(GLOBEX.id)).toContain(connId(GLOBEX.id, STRIPE));
  });

  it('deleteExternalAccount with its confirmation sends the option and the external account is deleted', async () => {
    const id = connId(ACME.id, STRIPE);
    const { body } = await stack.gql(DELETE, {
      input: { connectionId: id, deleteExternalAccount: true, confirmConnectionId: id },
    });
    expect(body.data!.deleteConnection).toMatchObject({ connection: { id, status: 'DISCONNECTED' }, userErrors: [] });
    expect(posts().map((r) => r.body)).toEqual([{ connectionId: STRIPE, deleteExternalAccount: true }]);
    expect(externalAccounts.isDeleted('cus_Q558vmXbYSPMma')).toBe(true);
    expect(externalAccounts.isDeleted('cus_R7x2GlobexAbCd')).toBe(false);
  });

  it.each([
    ['without confirmConnectionId', undefined],
    ['with another connection as confirmation', connId(ACME.id, AUTH0)],
  ])(
    'deleteExternalAccount %s is CONFIRMATION_REQUIRED before any vendor call',
    async (_label, confirmConnectionId) => {
      const { body } = await stack.gql(DELETE, {
        input: { connectionId: connId(ACME.id, STRIPE), deleteExternalAccount: true, confirmConnectionId },
      });
      expect(body.data!.deleteConnection).toMatchObject({
        connection: null,
        userErrors: [{ code: 'CONFIRMATION_REQUIRED', field: ['input', 'confirmConnectionId'] }],
      });
      expect(stack.sandbox.totalRequests()).toBe(0);
      expect(externalAccounts.deleted()).toEqual([]);
    },
  );

  it('a dry run, even of deleteExternalAccount, reports the connection and calls no :disconnect', async () => {
    const id = connId(ACME.id, STRIPE);
    const { body } = await stack.gql(DELETE, {
      input: { connectionId: id, deleteExternalAccount: true, confirmConnectionId: id, dryRun: true },
    });
    expect(body.data!.deleteConnection).toMatchObject({
      dryRun: true,
      connection: { id, status: 'ACTIVE' },
      organization: { id: orgId(ACME.id) },
      userErrors: [],
    });
    expect(userhub().stats().byRoute[DISCONNECT]).toBeUndefined();
    expect(externalAccounts.deleted()).toEqual([]);
    expect(await connectionIdsOf(ACME.id)).toContain(id);
  });

  it('a connection key that is not a conn_ id is BAD_USER_INPUT before any vendor call', async () => {
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, 'cus_Q558vmXbYSPMma') } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a connection the organization is not linked through is NOT_FOUND, without a :disconnect', async () => {
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(GLOBEX.id, AUTH0) } });
    expect(body.data!.deleteConnection).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
    expect(userhub().stats().byRoute[DISCONNECT]).toBeUndefined();
  });

  it("UserHub's Status NOT_FOUND on :disconnect (already gone) is the userError NOT_FOUND", async () => {
    userhub().addFault({
      method: 'POST',
      times: 1,
      status: 404,
      body: { code: 'NOT_FOUND', message: 'Account connection not found.' },
    });
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, STRIPE) } });
    expect(body.data!.deleteConnection).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it("UserHub's Status INVALID_ARGUMENT / FAILED_PRECONDITION is VENDOR_REJECTED with UserHub's message", async () => {
    userhub().addFault({
      method: 'POST',
      times: 1,
      status: 400,
      body: { code: 'FAILED_PRECONDITION', message: 'The connection has open invoices.', param: 'connectionId' },
    });
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, STRIPE) } });
    expect(body.data!.deleteConnection).toMatchObject({
      connection: null,
      userErrors: [
        {
          code: 'VENDOR_REJECTED',
          message: expect.stringContaining('connectionId: The connection has open invoices.'),
        },
      ],
    });
    expect(await connectionIdsOf(ACME.id)).toContain(connId(ACME.id, STRIPE));
  });

  it('an organization UserHub does not know is NOT_FOUND (Status NOT_FOUND), tagged with the vendor', async () => {
    const { body } = await stack.gql(ORGANIZATION, { id: orgId('org_DoesNotExist1') }, { apiKey: stranger.apiKey });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', vendor: 'USERHUB', status: 404 });
    expect(userhub().requests()[0]!.responseBody).toEqual({ code: 'NOT_FOUND', message: 'Organization not found.' });
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
  ])(
    'a %i Status %s is UPSTREAM_UNAUTHORIZED and never shows the body (which echoes the key)',
    async (status, code) => {
      userhub().addFault({
        method: 'GET',
        status,
        body: { code, message: `Invalid API key: Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}` },
      });
      const { body } = await stack.gql(ORGANIZATION, { id: orgId(ACME.id) });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'USERHUB' });
      expect(JSON.stringify(body)).not.toContain(SANDBOX_CREDENTIALS.userhub.apiKey);
    },
  );

  it('disconnectIntegration and updateSharing are UNSUPPORTED_OPERATION for UserHub, without a vendor call', async () => {
    const sharing = await stack.gql(
      `mutation ($input: UpdateSharingInput!) { updateSharing(input: $input) { userErrors { code } } }`,
      { input: { connectionId: connId(ACME.id, STRIPE), teamKeys: [] } },
    );
    expect(sharing.body.data!.updateSharing).toEqual({ userErrors: [{ code: 'UNSUPPORTED_OPERATION' }] });
    const disconnect = await stack.gql(
      `mutation ($input: DisconnectIntegrationInput!) { disconnectIntegration(input: $input) { userErrors { code } } }`,
      { input: { organizationId: orgId(ACME.id), provider: 'STRIPE' } },
    );
    expect(disconnect.body.data!.disconnectIntegration).toEqual({ userErrors: [{ code: 'UNSUPPORTED_OPERATION' }] });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});

describe('UserHub configuration', () => {
  const load = (userhub: Record<string, unknown>) =>
    loadConfig({}, { tenants: [{ id: 't1', apiKeySha256: [sha256('k')], vendors: { userhub } }] });

  it("defaults to the contract's base URL and keeps the admin key as a Secret", () => {
    const userhub = load({ apiKey: 'uh-secret-value', organizations: [{ id: 'org_28seyVGVL1got6' }] }).tenants[0]!
      .vendors.userhub!;
    expect(userhub.baseUrl).toBe('https://api.userhub.com');
    expect(userhub.apiKey).toBeInstanceOf(Secret);
    expect(JSON.stringify(userhub)).not.toContain('uh-secret-value');
  });

  it('rejects an organization id that is not org_…', () => {
    expect(() => load({ apiKey: 'k', organizations: [{ id: '9b2f1d4e' }] })).toThrow(
      /tenants\.0\.vendors\.userhub\.organizations\.0\.id/,
    );
  });
});
