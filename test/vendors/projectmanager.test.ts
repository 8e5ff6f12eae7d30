import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { loadConfig } from '../../src/config/config.js';
import { Secret } from '../../src/config/secret.js';
import { createUpstreamHttp } from '../../src/http/upstream-http.js';
import { createReadThrough } from '../../src/loaders/upstream-transport.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { PM_PROVIDERS } from '../../src/sandbox/projectmanager/seed.js';
import { createVendorAdapters } from '../../src/vendors/registry.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

const orgId = (org: string) => globalId(['Organization', 'PROJECTMANAGER', org]);
const connId = (org: string, provider: string) => globalId(['Connection', 'PROJECTMANAGER', org, provider]);
const provider = (name: string) => PM_PROVIDERS.find((p) => p.name === name)!;
const SLACK = provider('Slack');
const DRIVE = provider('Google Drive');
const JIRA = provider('Jira');
const TEAMS = provider('Microsoft Teams');
const QUICKBOOKS = provider('QuickBooks');

const LIST = 'GET /api/data/integrations/providers';
const DELETE_ROUTE = 'DELETE /api/data/integrations/providers/{providerId}/user-connection';

const ORG_CONNECTIONS = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      displayName
      connections {
        id
        externalId
        status
        vendorStatus
        health {
          name
        }
        createdAt
        provider {
          slug
          displayName
          category
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
        status
        provider {
          displayName
        }
      }
      organization {
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

type OrgConnections = {
  organization: {
    connections: { status: string; provider: { slug: string; displayName: string } }[] | null;
  };
};

const failureEnvelope = (statusCode: string, message: string, validationErrors: Record<string, string[]> | null) => ({
  error: {
    technicalError: 'NullReferenceException at Astro.Integrations',
    additionalErrors: null,
    validationErrors,
    message,
  },
  success: false,
  hasError: true,
  statusCode,
});

describe('ProjectManager through the gateway', () => {
  let stack: TestStack;
  const secondUserTenant = { id: 'pm-second-user', apiKey: newApiKey('second') };
  const wrongTokenTenant = { id: 'pm-wrong-token', apiKey: newApiKey('wrong') };
  beforeAll(async () => {
    stack = await startStack({
      sandbox: { echoCredentials: true },
      extraTenants: (sandbox) => [
        {
          id: secondUserTenant.id,
          apiKeySha256: [sha256(secondUserTenant.apiKey)],
          vendors: {
            projectmanager: {
              baseUrl: sandbox.get('PROJECTMANAGER').url,
              organizations: [{ id: 'acme', token: SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser }],
            },
          },
        },
        {
          id: wrongTokenTenant.id,
          apiKeySha256: [sha256(wrongTokenTenant.apiKey)],
          vendors: {
            projectmanager: {
              baseUrl: sandbox.get('PROJECTMANAGER').url,
              organizations: [{ id: 'acme', token: 'pm_revoked_token_31337' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const pm = () => stack.sandbox.get('PROJECTMANAGER');
  const connections = async (org: string, apiKey?: string) =>
    (
      await stack.gql<OrgConnections>(ORG_CONNECTIONS, { id: orgId(org) }, apiKey ? { apiKey } : {})
    ).body.data!.organization.connections!.map((c) => [c.provider.displayName, c.status]);

  it('lists activated providers as connections: ACTIVE once authenticated, PENDING before', async () => {
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId('acme') });
    expect(body.errors).toBeUndefined();
    expect(body.data!.organization).toEqual({
      displayName: 'Acme Corp',
      connections: [
        {
          id: connId('acme', SLACK.id),
          externalId: SLACK.id,
          status: 'ACTIVE',
          vendorStatus: 'activated, authenticated',
          health: null,
          createdAt: '2024-01-15T09:30:00Z',
          provider: { slug: SLACK.id, displayName: 'Slack', category: 'communication' },
        },
        {
          id: connId('acme', DRIVE.id),
          externalId: DRIVE.id,
          status: 'PENDING',
          vendorStatus: 'activated, not authenticated',
          health: null,
          createdAt: null,
          provider: { slug: DRIVE.id, displayName: 'Google Drive', category: 'files' },
        },
        {
          id: connId('acme', JIRA.id),
          externalId: JIRA.id,
          status: 'ACTIVE',
          vendorStatus: 'activated, authenticated',
          health: null,
          createdAt: '2024-01-15T09:30:00Z',
          provider: { slug: JIRA.id, displayName: 'Jira', category: 'development' },
        },
      ],
    });
    expect(pm().stats().byRoute).toEqual({ [LIST]: 1 });
  });

  it('sends the workspace token and x-integration-name: junction on every request', async () => {
    await connections('globex');
    await stack.gql(DISCONNECT, { input: { organizationId: orgId('globex'), provider: TEAMS.id } });
    const sent = pm().requests();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const r of sent) {
      expect(r.headers.authorization).toBe(`Bearer ${SANDBOX_CREDENTIALS.projectmanager.globex}`);
      expect(r.headers['x-integration-name']).toBe('junction');
    }
  });

  it('lists every provider, keyed by its UUID', async () => {
    const { body } = await stack.gql(`{ providers(vendor: PROJECTMANAGER) { slug displayName description vendor } }`);
    expect(body.data!.providers).toEqual(
      PM_PROVIDERS.map((p) => ({ slug: p.id, displayName: p.name, description: p.summary, vendor: 'PROJECTMANAGER' })),
    );
  });

  it('disconnectIntegration deletes the user connection: payload DISCONNECTED, later reads no longer list it', async () => {
    expect(await connections('acme')).toEqual([
      ['Slack', 'ACTIVE'],
      ['Google Drive', 'PENDING'],
      ['Jira', 'ACTIVE'],
    ]);
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: JIRA.id } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.disconnectIntegration).toEqual({
      dryRun: false,
      disconnectedActionCount: 1,
      connection: { id: connId('acme', JIRA.id), status: 'DISCONNECTED', provider: { displayName: 'Jira' } },
      organization: { displayName: 'Acme Corp' },
      userErrors: [],
    });
    expect(
      pm()
        .requests()
        .filter((r) => r.method === 'DELETE')
        .map((r) => r.path),
    ).toEqual([`/api/data/integrations/providers/${JIRA.id}/user-connection`]);
    expect(await connections('acme')).toEqual([
      ['Slack', 'ACTIVE'],
      ['Google Drive', 'PENDING'],
    ]);
    expect(pm().stats().byRoute).toEqual({ [LIST]: 2, [DELETE_ROUTE]: 1 });
  });

  it('disconnectIntegration by connection ID', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: connId('acme', DRIVE.id) } });
    expect(body.data!.disconnectIntegration).toMatchObject({ connection: { status: 'DISCONNECTED' }, userErrors: [] });
    expect((await connections('acme')).map(([name]) => name)).toEqual(['Slack', 'Jira']);
  });

  it.each([
    ['a provider that is not a UUID', { provider: 'slack' }, ['input', 'provider']],
    ['an action (a Supervity option)', { provider: SLACK.id, action: 'post' }, ['input', 'action']],
  ])('%s is INVALID_INPUT with zero upstream calls', async (_label, input, field) => {
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), ...input } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      userErrors: [{ code: 'INVALID_INPUT', field }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a connection ID whose key is not a UUID is BAD_USER_INPUT before any call', async () => {
    const { body } = await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, {
      id: connId('acme', 'slack'),
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a dry run reports the connection and sends no DELETE', async () => {
    const { body } = await stack.gql(DISCONNECT, {
      input: { organizationId: orgId('acme'), provider: SLACK.id, dryRun: true },
    });
    expect(body.data!.disconnectIntegration).toMatchObject({
      dryRun: true,
      connection: { id: connId('acme', SLACK.id), status: 'ACTIVE' },
      userErrors: [],
    });
    expect(pm().stats().byRoute[DELETE_ROUTE]).toBeUndefined();
  });

  it.each([
    [
      'with no user connection',
      QUICKBOOKS.id,
      'NOT_CONNECTED',
      'There is no user connection for this integration provider.',
    ],
    ['unknown to ProjectManager', randomUUID(), 'NOT_FOUND', 'The integration provider was not found.'],
  ])('a provider %s: the 200 failure envelope is %s with the vendor message', async (_l, id, code, message) => {
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: id } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      disconnectedActionCount: 0,
      userErrors: [{ code, field: ['input', 'provider'], message: expect.stringContaining(message) }],
    });
    const deleted = pm()
      .requests()
      .find((r) => r.method === 'DELETE')!;
    expect(deleted.status).toBe(200);
  });

  it('hasError: true inside a 200 is never success, even with success: true; validation errors are carried', async () => {
    pm().addFault({
      method: 'DELETE',
      times: 1,
      status: 200,
      body: {
        ...failureEnvelope('BadRequest', 'The request is invalid.', { providerId: ['Provider is locked'] }),
        success: true,
      },
    });
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: SLACK.id } });
    const payload = body.data!.disconnectIntegration as {
      connection: unknown;
      userErrors: { code: string; message: string }[];
    };
    expect(payload.connection).toBeNull();
    expect(payload.userErrors[0]!.code).toBe('VENDOR_REJECTED');
    expect(payload.userErrors[0]!.message).toContain('The request is invalid.');
    expect(payload.userErrors[0]!.message).toContain('providerId: Provider is locked');
    // The technical error is not for end users and is not passed on.
    expect(payload.userErrors[0]!.message).not.toContain('NullReferenceException');
  });

  it('a failure envelope on a read is UPSTREAM_REJECTED, and is not cached', async () => {
    pm().addFault({
      method: 'GET',
      times: 1,
      status: 200,
      body: failureEnvelope('InternalServerError', 'Integrations are temporarily unavailable', null),
    });
    const failed = await stack.gql<OrgConnections>(ORG_CONNECTIONS, { id: orgId('acme') });
    expect(failed.body.data!.organization.connections).toBeNull();
    expect(failed.body.errors?.[0]).toMatchObject({
      path: ['organization', 'connections'],
      extensions: { code: 'UPSTREAM_REJECTED', vendor: 'PROJECTMANAGER' },
    });
    expect(failed.body.errors?.[0]?.message).toContain('Integrations are temporarily unavailable');
    expect(await connections('acme')).toHaveLength(3);
    expect(pm().stats().byRoute[LIST]).toBe(2);
  });

  it('a body that breaks the contract is UPSTREAM_BAD_RESPONSE', async () => {
    pm().addFault({
      method: 'GET',
      status: 200,
      body: { success: true, hasError: false, data: [{ id: 'not-a-uuid' }] },
    });
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId('acme') });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', vendor: 'PROJECTMANAGER' });
  });

  it('a 401 is UPSTREAM_UNAUTHORIZED, and the vendor body (echoing the token) never reaches the client', async () => {
    const opts = { apiKey: wrongTokenTenant.apiKey };
    const read = await stack.gql(ORG_CONNECTIONS, { id: orgId('acme') }, opts);
    expect(read.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      vendor: 'PROJECTMANAGER',
      status: 401,
    });
    const write = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: SLACK.id } }, opts);
    expect(write.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED' });
    const last = pm().requests().at(-1)!;
    expect(JSON.stringify(last.responseBody)).toContain('pm_revoked_token_31337');
    expect(JSON.stringify([read.body, write.body])).not.toContain('pm_revoked_token_31337');
  });

  it('an HTTP 401 on the DELETE itself is UPSTREAM_UNAUTHORIZED, not a userError', async () => {
    pm().addFault({
      method: 'DELETE',
      times: 1,
      status: 401,
      body: failureEnvelope('Unauthorized', 'The token has expired', null),
    });
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: SLACK.id } });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      vendor: 'PROJECTMANAGER',
      status: 401,
    });
    expect(
      pm()
        .requests()
        .find((r) => r.method === 'DELETE')!.status,
    ).toBe(401);
  });

  it('a tenant configured with another user’s token sees that user’s connections, never the cached ones of another', async () => {
    expect(await connections('acme')).toHaveLength(3);
    expect(await connections('acme', secondUserTenant.apiKey)).toEqual([['Slack', 'PENDING']]);
    expect(pm().stats().byRoute[LIST]).toBe(2);
    expect(pm().requests().at(-1)!.headers.authorization).toBe(
      `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser}`,
    );
  });
});

describe('ProjectManager adapter with a forwarded user credential', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  // Drives the adapter path below the request header (test/gateway/tenancy.test.ts covers the
  // X-Junction-ProjectManager-Token header itself): the registry, a real transport and cache, over HTTP.
  it('replaces the configured token, and keeps cached reads per credential', async () => {
    const config = loadConfig(
      {},
      {
        tenants: [
          {
            id: 't1',
            apiKeySha256: [sha256('k')],
            vendors: {
              projectmanager: {
                baseUrl: stack.sandbox.get('PROJECTMANAGER').url,
                organizations: [{ id: 'acme', token: SANDBOX_CREDENTIALS.projectmanager.acme }],
              },
            },
          },
        ],
      },
    );
    const vendors = config.tenants[0]!.vendors;
    const http = createUpstreamHttp();
    const reads = createReadThrough({
      cache: createMemoryCache(),
      http,
      logger: createLogger('silent'),
      ttlSeconds: config.cache.ttlSeconds,
    });
    try {
      const adapterFor = (forwarded?: string) =>
        createVendorAdapters(
          vendors,
          reads.forRequest('t1'),
          forwarded ? { PROJECTMANAGER: new Secret(forwarded) } : {},
        ).get('PROJECTMANAGER')!;
      const statuses = async (forwarded?: string) =>
        (await adapterFor(forwarded).listConnections('acme')).map((c) => [c.provider.displayName, c.status]);

      expect(await statuses()).toHaveLength(3);
      expect(await statuses(SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser)).toEqual([['Slack', 'PENDING']]);
      // Each credential's read was cached separately: repeats make no further calls.
      expect(await statuses()).toHaveLength(3);
      expect(await statuses(SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser)).toHaveLength(1);
      const sent = stack.sandbox.get('PROJECTMANAGER').requests();
      expect(sent.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acme}`,
        `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser}`,
      ]);
      expect(sent.every((r) => r.headers['x-integration-name'] === 'junction')).toBe(true);
    } finally {
      await http.close();
    }
  });
});
