import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { Secret } from '../../src/config/secret.js';
import { createUpstreamHttp } from '../../src/http/upstream-http.js';
import { createReadThrough } from '../../src/loaders/upstream-transport.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import { supervityConfigSchema } from '../../src/vendors/supervity/config.js';
import { createVendorAdapters } from '../../src/vendors/registry.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

const [ACME, GLOBEX] = SUPERVITY_SEED as [(typeof SUPERVITY_SEED)[number], (typeof SUPERVITY_SEED)[number]];
const orgId = (org: string) => globalId(['Organization', 'SUPERVITY', org]);
const connId = (org: string, slug: string, account: string) =>
  globalId(['Connection', 'SUPERVITY', org, `${slug}:${account}`]);
const GOOGLE = connId(ACME.id, 'google-workspace', 'jane.doe@acme.com');
const GITHUB = connId(ACME.id, 'github', 'acme-eng');
const SALESFORCE = connId(GLOBEX.id, 'salesforce', 'ops@globex.com');
const MICROSOFT_WITHOUT_ID = connId(GLOBEX.id, 'microsoft-365', 'it@globex.com');
const ME = 'GET /api/v1/integrations/me';
const DELETE_ACTION = 'DELETE /api/v1/integrations/{integrationSlug}/actions/{actionName}';
const PATCH_SHARING = 'PATCH /api/v1/integrations/accounts/{accountId}/sharing';

interface ConnectionView {
  id: string;
  externalId: string;
  status: string;
  accountIdentifier: string;
  sharedTeamKeys: string[];
  provider: { slug: string; displayName: string };
  actions: { name: string; displayName: string; documentationUrls: string[] }[];
}

const ORG_CONNECTIONS = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      displayName
      connections {
        id
        externalId
        status
        accountIdentifier
        sharedTeamKeys
        provider {
          slug
          displayName
        }
        actions {
          name
          displayName
          documentationUrls
        }
      }
    }
  }
`;
const DISCONNECT = /* GraphQL */ `
  mutation ($input: DisconnectIntegrationInput!) {
    disconnectIntegration(input: $input) {
      dryRun
      disconnectedActionCount
      connection {
        id
        actions {
          name
        }
      }
      organization {
        id
        displayName
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;
const UPDATE_SHARING = /* GraphQL */ `
  mutation ($input: UpdateSharingInput!) {
    updateSharing(input: $input) {
      connection {
        id
        sharedTeamKeys
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

describe('Supervity through the gateway', () => {
  let stack: TestStack;
  const outsider = { apiKey: newApiKey('initech') };
  beforeAll(async () => {
    stack = await startStack({
      // A second tenant configured with an organization the Supervity user is not a member of.
      extraTenants: (sandbox) => [
        {
          id: 'initech',
          apiKeySha256: [sha256(outsider.apiKey)],
          vendors: {
            supervity: {
              baseUrl: sandbox.get('SUPERVITY').url,
              token: SANDBOX_CREDENTIALS.supervity.token,
              organizations: [{ id: 'org_initech' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const supervity = () => stack.sandbox.get('SUPERVITY');
  const connectionsOf = async (org: string) => {
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId(org) });
    expect(body.errors).toBeUndefined();
    return (body.data!.organization as { connections: ConnectionView[] }).connections;
  };

  it('lists connected accounts with their actions from one GET /me, sending the JWT and x-active-org', async () => {
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(body.errors).toBeUndefined();
    const org = body.data!.organization as { displayName: string; connections: ConnectionView[] };
    expect(org.displayName).toBe('Acme Corp');
    expect(org.connections).toEqual([
      {
        id: GOOGLE,
        externalId: 'jane.doe@acme.com',
        status: 'ACTIVE',
        accountIdentifier: 'jane.doe@acme.com',
        sharedTeamKeys: ['sales', 'support'],
        provider: { slug: 'google-workspace', displayName: 'Google Workspace' },
        actions: [
          {
            name: 'send-email',
            displayName: 'Send Email',
            documentationUrls: ['https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send'],
          },
          {
            name: 'create-event',
            displayName: 'Create Calendar Event',
            documentationUrls: ['https://developers.google.com/calendar/api/v3/reference/events/insert'],
          },
          { name: 'upload-file', displayName: 'Upload File', documentationUrls: [] },
        ],
      },
      {
        id: GITHUB,
        externalId: 'acme-eng',
        status: 'ACTIVE',
        accountIdentifier: 'acme-eng',
        sharedTeamKeys: [],
        provider: { slug: 'github', displayName: 'GitHub' },
        actions: [
          {
            name: 'create-issue',
            displayName: 'Create Issue',
            documentationUrls: ['https://docs.github.com/en/rest/issues/issues#create-an-issue'],
          },
        ],
      },
    ]);
    // Connections, providers and actions all come from the same /me body: one upstream call.
    expect(supervity().stats().byRoute).toEqual({ [ME]: 1 });
    const [request] = supervity().requests();
    expect(request!.headers.authorization).toBe(`Bearer ${SANDBOX_CREDENTIALS.supervity.token}`);
    expect(request!.headers['x-active-org']).toBe(ACME.id);
  });

  it('lists providers (integration groups) with their actions, per organization', async () => {
    const { body } = await stack.gql(
      `{ providers(vendor: SUPERVITY) { slug displayName description actions { name } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.providers).toEqual([
      {
        slug: 'github',
        displayName: 'GitHub',
        description: 'Repositories, issues and pull requests.',
        actions: [{ name: 'create-issue' }],
      },
      {
        slug: 'google-workspace',
        displayName: 'Google Workspace',
        description: 'Gmail, Calendar and Drive for your organization.',
        actions: [{ name: 'send-email' }, { name: 'create-event' }, { name: 'upload-file' }],
      },
      {
        slug: 'microsoft-365',
        displayName: 'Microsoft 365',
        description: 'Outlook and OneDrive.',
        actions: [{ name: 'send-mail' }],
      },
      {
        slug: 'salesforce',
        displayName: 'Salesforce',
        description: 'CRM records.',
        actions: [{ name: 'create-lead' }, { name: 'update-opportunity' }],
      },
    ]);
    // One /me per organization, whatever the number of fields that need it.
    expect(supervity().stats().byRoute).toEqual({ [ME]: 2 });
  });

  it('disconnects one action: count 1, the connection stays with its other actions', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE, action: 'send-email' } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.disconnectIntegration).toEqual({
      dryRun: false,
      disconnectedActionCount: 1,
      connection: { id: GOOGLE, actions: [{ name: 'create-event' }, { name: 'upload-file' }] },
      organization: { id: orgId(ACME.id), displayName: 'Acme Corp' },
      userErrors: [],
    });
    const deletes = supervity()
      .requests()
      .filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => [r.path, r.headers['x-active-org']])).toEqual([
      ['/api/v1/integrations/google-workspace/actions/send-email', ACME.id],
    ]);
    const google = (await connectionsOf(ACME.id)).find((c) => c.id === GOOGLE)!;
    expect(google.actions.map((a) => a.name)).toEqual(['create-event', 'upload-file']);
  });

  it('disconnects all actions by organization and slug: the vendor count is reported and the connection is gone', async () => {
    const { body } = await stack.gql(DISCONNECT, {
      input: { organizationId: orgId(ACME.id), provider: 'google-workspace', confirmProvider: 'google-workspace' },
    });
    expect(body.data!.disconnectIntegration).toMatchObject({
      dryRun: false,
      disconnectedActionCount: 3,
      connection: null,
      userErrors: [],
    });
    expect(
      supervity()
        .requests()
        .filter((r) => r.method === 'DELETE')
        .map((r) => r.path),
    ).toEqual(['/api/v1/integrations/google-workspace/actions/all']);
    expect((await connectionsOf(ACME.id)).map((c) => c.id)).toEqual([GITHUB]);
  });

  it('disconnecting the last action of an integration removes its connection', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: GITHUB, action: 'create-issue' } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      disconnectedActionCount: 1,
      connection: null,
      userErrors: [],
    });
    expect((await connectionsOf(ACME.id)).map((c) => c.id)).toEqual([GOOGLE]);
  });

  it('a dry run reports the connection and calls no destructive endpoint', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE, dryRun: true } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      dryRun: true,
      disconnectedActionCount: 0,
      connection: { id: GOOGLE },
      userErrors: [],
    });
    expect(supervity().stats().byRoute[DELETE_ACTION]).toBeUndefined();
  });

  it.each([
    ['a slug outside ^[a-z0-9_-]+$', { provider: 'Google Workspace' }, ['input', 'provider']],
    ['a slug with a path separator', { provider: 'github/../admin' }, ['input', 'provider']],
    ['an action name with a slash', { provider: 'github', action: 'create/issue' }, ['input', 'action']],
    ['an empty action name', { provider: 'github', action: '' }, ['input', 'action']],
  ])('rejects %s before any vendor call', async (_label, input, field) => {
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), ...input } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      disconnectedActionCount: 0,
      userErrors: [{ code: 'INVALID_INPUT', field }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('an integration or action that is not connected is NOT_CONNECTED, without a DELETE', async () => {
    const slug = await stack.gql(DISCONNECT, {
      input: { organizationId: orgId(ACME.id), provider: 'slack', confirmProvider: 'slack' },
    });
    expect(slug.body.data!.disconnectIntegration).toMatchObject({ userErrors: [{ code: 'NOT_CONNECTED' }] });
    const action = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE, action: 'delete-everything' } });
    expect(action.body.data!.disconnectIntegration).toMatchObject({
      userErrors: [{ code: 'NOT_CONNECTED', field: ['input', 'action'] }],
    });
    expect(supervity().stats().byRoute[DELETE_ACTION]).toBeUndefined();
  });

  it('a vendor 404 on the DELETE (disconnected meanwhile) is NOT_CONNECTED by provider, NOT_FOUND by connection ID', async () => {
    supervity().addFault({ method: 'DELETE', times: 2, status: 404, body: { success: false, message: 'gone' } });
    const byProvider = await stack.gql(DISCONNECT, {
      input: {
        organizationId: globalId(['Organization', 'SUPERVITY', ACME.id]),
        provider: 'google-workspace',
        confirmProvider: 'google-workspace',
      },
    });
    expect(byProvider.body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      userErrors: [{ code: 'NOT_CONNECTED', field: ['input', 'provider'] }],
    });
    // Named by ID, the connection is gone: the answer for an ID that does not exist (test/edges/already-deleted.test.ts).
    const { body } = await stack.gql(DISCONNECT, {
      input: { connectionId: GOOGLE, confirmProvider: 'google-workspace' },
    });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      userErrors: [{ code: 'NOT_FOUND', field: ['input'] }],
    });
  });

  it("a vendor 400 `{ success: false, message }` is VENDOR_REJECTED carrying Supervity's message", async () => {
    supervity().addFault({
      method: 'DELETE',
      times: 1,
      status: 400,
      body: { success: false, message: 'Action is used by a running workflow' },
    });
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: GOOGLE, action: 'send-email' } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      userErrors: [
        { code: 'VENDOR_REJECTED', message: expect.stringContaining('Action is used by a running workflow') },
      ],
    });
  });

  it('updateSharing replaces the team list through PATCH with the account id, and reads the new list back', async () => {
    const { body } = await stack.gql(UPDATE_SHARING, { input: { connectionId: GOOGLE, teamKeys: ['engineering'] } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.updateSharing).toEqual({
      connection: { id: GOOGLE, sharedTeamKeys: ['engineering'] },
      userErrors: [],
    });
    const patch = supervity()
      .requests()
      .find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe(`/api/v1/integrations/accounts/${ACME.accounts[0]!.id}/sharing`);
    expect(patch.body).toEqual({ shareWithTeamKeys: ['engineering'] });
    const google = (await connectionsOf(ACME.id)).find((c) => c.id === GOOGLE)!;
    expect(google.sharedTeamKeys).toEqual(['engineering']);
  });

  it('updateSharing with [] revokes all sharing', async () => {
    const { body } = await stack.gql(UPDATE_SHARING, { input: { connectionId: SALESFORCE, teamKeys: [] } });
    expect(body.data!.updateSharing).toEqual({ connection: { id: SALESFORCE, sharedTeamKeys: [] }, userErrors: [] });
    expect(
      supervity()
        .requests()
        .find((r) => r.method === 'PATCH')!.body,
    ).toEqual({ shareWithTeamKeys: [] });
  });

  it.each([
    ['an empty team key', ['sales', '']],
    ['a team key with spaces', ['sales team']],
    ['a repeated team key', ['sales', 'sales']],
  ])('updateSharing rejects %s before any vendor call', async (_label, teamKeys) => {
    const { body } = await stack.gql(UPDATE_SHARING, { input: { connectionId: GOOGLE, teamKeys } });
    expect(body.data!.updateSharing).toMatchObject({
      connection: null,
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'teamKeys'] }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('updateSharing on an account Supervity lists without an id is UNSUPPORTED_OPERATION, with no PATCH', async () => {
    const { body } = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: MICROSOFT_WITHOUT_ID, teamKeys: ['it'] },
    });
    expect(body.data!.updateSharing).toMatchObject({
      connection: null,
      userErrors: [{ code: 'UNSUPPORTED_OPERATION', field: ['input', 'connectionId'] }],
    });
    expect(supervity().stats().byRoute[PATCH_SHARING]).toBeUndefined();
  });

  it('updateSharing on an unknown account is NOT_FOUND; a vendor 404 on the PATCH too', async () => {
    const unknown = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: connId(ACME.id, 'github', 'someone-else'), teamKeys: [] },
    });
    expect(unknown.body.data!.updateSharing).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
    supervity().addFault({
      method: 'PATCH',
      times: 1,
      status: 404,
      body: { success: false, message: 'Account not found' },
    });
    const raced = await stack.gql(UPDATE_SHARING, { input: { connectionId: GOOGLE, teamKeys: [] } });
    expect(raced.body.data!.updateSharing).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it('a connection key that is not "<slug>:<account>" is BAD_USER_INPUT before any vendor call', async () => {
    const { body } = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: globalId(['Connection', 'SUPERVITY', ACME.id, 'Not A Slug']), teamKeys: [] },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a 401 is UPSTREAM_UNAUTHORIZED and never shows the body (which echoes the token)', async () => {
    supervity().addFault({
      method: 'GET',
      status: 401,
      body: { success: false, message: `Invalid or expired token: Bearer ${SANDBOX_CREDENTIALS.supervity.token}` },
    });
    const res = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'SUPERVITY' });
    expect(JSON.stringify(res.body)).not.toContain(SANDBOX_CREDENTIALS.supervity.token);
  });

  it('an x-active-org the user is not a member of (403) is UPSTREAM_UNAUTHORIZED', async () => {
    const res = await stack.gql(ORG_CONNECTIONS, { id: orgId('org_initech') }, { apiKey: outsider.apiKey });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      vendor: 'SUPERVITY',
      status: 403,
    });
    expect(supervity().requests()[0]!.headers['x-active-org']).toBe('org_initech');
  });
});

/**
 * A page of the connection index carries each connection's actions as the sync read them, with the rest of the row:
 * they come with the model (the /me body the connection came from), where a resolver read /me again live for each
 * organization of the page.
 */
describe('Supervity connections paged from the connection index', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Vendor reads uncached: a page that read /me again would show as a call.
    stack = await startStack({
      config: { sync: { enabled: true }, cache: { enabled: false } },
      start: { backgroundSync: 'manual' },
    });
  });
  afterAll(() => stack.close());

  it("answers each connection's actions as the sync read them, without a vendor call", async () => {
    const live = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(live.body.errors).toBeUndefined();
    const liveConnections = (live.body.data!.organization as { connections: ConnectionView[] }).connections;
    expect(liveConnections.some((c) => c.actions.length > 0)).toBe(true);
    await stack.gateway.syncNow();
    stack.sandbox.get('SUPERVITY').reset();

    const { body } = await stack.gql(
      `{ connections(first: 50, filter: { vendor: [SUPERVITY] }) {
          edges { node { id actions { name displayName documentationUrls } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const paged = (body.data!.connections as { edges: { node: Pick<ConnectionView, 'id' | 'actions'> }[] }).edges;
    const byId = new Map(paged.map((e) => [e.node.id, e.node.actions]));
    for (const c of liveConnections) expect(byId.get(c.id)).toEqual(c.actions);
    expect(stack.sandbox.get('SUPERVITY').stats().total).toBe(0);
  });
});

/**
 * The adapter side of a forwarded user token, below the X-Junction-Supervity-Token
 * header (test/gateway/tenancy.test.ts covers the header itself): the real
 * registry, transport, cache and undici client against the running Supervity simulator.
 */
describe('Supervity with a forwarded user JWT', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it("sends the caller's JWT instead of the configured one, and caches its reads apart", async () => {
    const http = createUpstreamHttp({ timeoutMs: 2_000 });
    const cache = createMemoryCache();
    const reads = createReadThrough({
      cache,
      http,
      logger: createLogger('silent'),
      ttlSeconds: { organization: 60, connections: 60, providers: 60 },
    });
    const config = supervityConfigSchema({}).parse({
      baseUrl: stack.sandbox.get('SUPERVITY').url,
      token: SANDBOX_CREDENTIALS.supervity.token,
      organizations: [{ id: ACME.id }],
    });
    const adaptersFor = (forwarded?: Secret) =>
      createVendorAdapters(
        { supervity: config },
        reads.forRequest('acme'),
        forwarded ? { SUPERVITY: forwarded } : {},
      ).get('SUPERVITY')!;
    try {
      const service = await adaptersFor().listConnections(ACME.id);
      const user = await adaptersFor(new Secret(SANDBOX_CREDENTIALS.supervity.userToken)).listConnections(ACME.id);
      expect(user).toEqual(service);
      // A user's read does not reuse the service account's cached body: two upstream calls, two tokens.
      expect(
        stack.sandbox
          .get('SUPERVITY')
          .requests()
          .map((r) => r.headers.authorization),
      ).toEqual([`Bearer ${SANDBOX_CREDENTIALS.supervity.token}`, `Bearer ${SANDBOX_CREDENTIALS.supervity.userToken}`]);
      // The same user again is served from the cache.
      await adaptersFor(new Secret(SANDBOX_CREDENTIALS.supervity.userToken)).listConnections(ACME.id);
      expect(stack.sandbox.get('SUPERVITY').stats().total).toBe(2);
    } finally {
      await http.close();
      await cache.close();
    }
  });
});

describe('Supervity configuration', () => {
  const load = (supervity: Record<string, unknown>) => () =>
    loadConfig({}, { tenants: [{ id: 't1', apiKeySha256: [sha256('k')], vendors: { supervity } }] });

  it('requires a base URL (the contract has none), a token and header-safe organization ids, naming each path', () => {
    let thrown: unknown;
    try {
      load({ token: 'jwt-secret-value', organizations: [{ id: 'org acme\r\nx-evil: 1' }] })();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const issues = (thrown as ConfigError).issues.join('\n');
    expect(issues).toContain('tenants.0.vendors.supervity.baseUrl');
    expect(issues).toContain('tenants.0.vendors.supervity.organizations.0.id');
    expect(issues).not.toContain('jwt-secret-value');
  });

  it('keeps the token as a Secret', () => {
    const config = load({
      baseUrl: 'https://auto.example',
      token: 'jwt-secret-value',
      organizations: [{ id: 'org_acme' }],
    })();
    const supervity = config.tenants[0]!.vendors.supervity!;
    expect(supervity.token).toBeInstanceOf(Secret);
    expect(JSON.stringify(supervity)).not.toContain('jwt-secret-value');
  });
});
