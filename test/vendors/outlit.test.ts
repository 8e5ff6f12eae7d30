import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { OUTLIT_CATALOGUE, OUTLIT_SEED } from '../../src/sandbox/outlit/seed.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

const [ACME, GLOBEX] = OUTLIT_SEED as [(typeof OUTLIT_SEED)[number], (typeof OUTLIT_SEED)[number]];
const orgId = (org: string) => globalId(['Organization', 'OUTLIT', org]);
const connId = (org: string, provider: string) => globalId(['Connection', 'OUTLIT', org, provider]);

const LIST = 'GET /api/integrations';
const SYNC = 'GET /api/integrations/sync-status';
const DISCONNECT_ROUTE = 'POST /api/integrations/disconnect';

const ORG_CONNECTIONS = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      displayName
      connections {
        id
        externalId
        status
        vendorStatus
        provider {
          slug
          displayName
          category
        }
        health {
          name
          status
          description
        }
      }
    }
  }
`;
const CONNECTION = /* GraphQL */ `
  query ($id: ID!) {
    connection(id: $id) {
      id
      status
      vendorStatus
      health {
        name
        status
        description
        details {
          endpoint
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
        vendorStatus
        provider {
          slug
          displayName
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

type OrgConnections = {
  organization: {
    displayName: string;
    connections: { externalId: string; status: string; provider: { slug: string } }[];
  };
};

describe('Outlit through the gateway', () => {
  let stack: TestStack;
  const wrongKeyTenant = { id: 'wrong-outlit-key', apiKey: newApiKey('wrong') };
  beforeAll(async () => {
    stack = await startStack({
      sandbox: { echoCredentials: true },
      extraTenants: (sandbox) => [
        {
          id: wrongKeyTenant.id,
          apiKeySha256: [sha256(wrongKeyTenant.apiKey)],
          vendors: {
            outlit: {
              baseUrl: sandbox.get('OUTLIT').url,
              organizations: [{ id: 'acme', apiKey: 'ok_revoked_key_4242' }],
            },
          },
        },
      ],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const outlit = () => stack.sandbox.get('OUTLIT');
  const connectedSlugs = async (org: string) =>
    ((await stack.gql<OrgConnections>(ORG_CONNECTIONS, { id: orgId(org) })).body.data!.organization.connections ?? [])
      .map((c) => c.provider.slug)
      .sort();

  it("lists an organization's connected integrations, with ERROR for a failed sync, from one GET", async () => {
    const { body } = await stack.gql<OrgConnections>(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(body.errors).toBeUndefined();
    expect(body.data!.organization.displayName).toBe('Acme Corp');
    expect(body.data!.organization.connections).toEqual([
      {
        id: connId(ACME.id, 'hubspot'),
        externalId: 'hubspot-org_acme',
        status: 'ACTIVE',
        vendorStatus: 'connected',
        provider: { slug: 'hubspot', displayName: 'HubSpot', category: 'crm' },
        health: { name: 'SUCCESS', status: 'HEALTHY', description: null },
      },
      {
        id: connId(ACME.id, 'slack'),
        externalId: 'slack-org_acme',
        status: 'ACTIVE',
        vendorStatus: 'connected',
        provider: { slug: 'slack', displayName: 'Slack', category: 'communication' },
        health: { name: 'PENDING', status: 'SYNCING', description: null },
      },
      {
        id: connId(ACME.id, 'stripe'),
        externalId: 'stripe-org_acme',
        status: 'ERROR',
        vendorStatus: 'connected',
        provider: { slug: 'stripe', displayName: 'Stripe', category: 'billing' },
        health: { name: 'FAILED', status: 'UNHEALTHY', description: 'Stripe API rate limit exceeded' },
      },
    ]);
    expect(outlit().stats().byRoute).toEqual({ [LIST]: 1 });
    const sent = outlit().requests()[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${ACME.apiKey}`);
  });

  it('each organization is read with its own API key', async () => {
    expect(await connectedSlugs(GLOBEX.id)).toEqual(['posthog']);
    expect(outlit().requests()[0]!.headers.authorization).toBe(`Bearer ${GLOBEX.apiKey}`);
  });

  it("reads one connection's health from its per-model sync status", async () => {
    const { body } = await stack.gql(CONNECTION, { id: connId(ACME.id, 'stripe') });
    expect(body.errors).toBeUndefined();
    expect(body.data!.connection).toEqual({
      id: connId(ACME.id, 'stripe'),
      status: 'ERROR',
      vendorStatus: 'connected',
      health: {
        name: 'FAILED',
        status: 'UNHEALTHY',
        description: 'invoices: FAILED (Stripe API rate limit exceeded)',
        details: [],
      },
    });
    expect(outlit().stats().byRoute).toEqual({ [LIST]: 1, [SYNC]: 1 });
    expect(
      outlit()
        .requests()
        .find((r) => r.route === '/api/integrations/sync-status')!.query,
    ).toEqual({
      provider: 'stripe',
    });
    const healthy = await stack.gql(CONNECTION, { id: connId(ACME.id, 'hubspot') });
    expect(healthy.body.data!.connection).toMatchObject({
      status: 'ACTIVE',
      health: { name: 'SUCCESS', status: 'HEALTHY', description: 'All 2 model syncs succeeded' },
    });
  });

  it('a provider that is not connected is no connection: NOT_FOUND', async () => {
    const { body } = await stack.gql(CONNECTION, { id: connId(ACME.id, 'attio') });
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a connection key Outlit does not list is NOT_FOUND, and the provider id is never sent to Outlit', async () => {
    // Outlit adds providers without notice, so a key outside the contract's twelve is looked up in the list only.
    const { body } = await stack.gql(CONNECTION, { id: connId(ACME.id, 'salesforce') });
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      stack.sandbox
        .get('OUTLIT')
        .requests()
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([`GET /api/integrations`]);
  });

  it('a connection key with control characters is BAD_USER_INPUT before any call', async () => {
    const { body } = await stack.gql(CONNECTION, { id: connId(ACME.id, 'stripe\u0000') });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('lists all twelve providers with names and categories, once per organization', async () => {
    const { body } = await stack.gql(`{ providers(vendor: OUTLIT) { slug displayName category vendor } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.providers).toEqual(
      OUTLIT_CATALOGUE.map((p) => ({ slug: p.id, displayName: p.name, category: p.category, vendor: 'OUTLIT' })),
    );
    expect(outlit().stats().byRoute).toEqual({ [LIST]: 2 });
  });

  it('disconnectIntegration by organization and provider: the payload shows it disconnected, later reads no longer list it', async () => {
    expect(await connectedSlugs(ACME.id)).toEqual(['hubspot', 'slack', 'stripe']); // cached now
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), provider: 'hubspot' } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.disconnectIntegration).toEqual({
      dryRun: false,
      disconnectedActionCount: 1,
      connection: {
        id: connId(ACME.id, 'hubspot'),
        status: 'DISCONNECTED',
        vendorStatus: 'not_connected',
        provider: { slug: 'hubspot', displayName: 'HubSpot' },
      },
      organization: { id: orgId(ACME.id), displayName: 'Acme Corp' },
      userErrors: [],
    });
    const posts = outlit()
      .requests()
      .filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, r.body, r.headers.authorization])).toEqual([
      ['/api/integrations/disconnect', { provider: 'hubspot' }, `Bearer ${ACME.apiKey}`],
    ]);
    // The cached list was invalidated: the next read goes to Outlit and no longer shows hubspot.
    expect(await connectedSlugs(ACME.id)).toEqual(['slack', 'stripe']);
    // Two list calls: the disconnect's own read came from the cache; the read after it did not.
    expect(outlit().stats().byRoute[LIST]).toBe(2);
  });

  it('disconnectIntegration by connection ID', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { connectionId: connId(GLOBEX.id, 'posthog') } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: { status: 'DISCONNECTED' },
      organization: { displayName: 'Globex' },
      userErrors: [],
    });
    expect(await connectedSlugs(GLOBEX.id)).toEqual([]);
  });

  it.each([
    ['a provider outside the contract’s twelve', { provider: 'salesforce' }, ['input', 'provider']],
    ['a provider id in the wrong case', { provider: 'Stripe' }, ['input', 'provider']],
    ['an action (a Supervity option)', { provider: 'stripe', action: 'sync' }, ['input', 'action']],
  ])('%s is INVALID_INPUT with zero upstream calls', async (_label, input, field) => {
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), ...input } });
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      disconnectedActionCount: 0,
      userErrors: [{ code: 'INVALID_INPUT', field }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a provider that is not connected: Outlit’s 404 becomes the userError NOT_CONNECTED', async () => {
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), provider: 'attio' } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.disconnectIntegration).toMatchObject({
      connection: null,
      userErrors: [
        {
          code: 'NOT_CONNECTED',
          field: ['input', 'provider'],
          message: expect.stringContaining('Integration is not connected'),
        },
      ],
    });
    expect(
      outlit()
        .requests()
        .find((r) => r.method === 'POST')!.status,
    ).toBe(404);
  });

  it('a dry run reports the connection and sends no disconnect; a dry run of an unconnected provider is NOT_CONNECTED', async () => {
    const dry = await stack.gql(DISCONNECT, {
      input: { organizationId: orgId(ACME.id), provider: 'stripe', dryRun: true },
    });
    expect(dry.body.data!.disconnectIntegration).toMatchObject({
      dryRun: true,
      disconnectedActionCount: 0,
      connection: { id: connId(ACME.id, 'stripe'), status: 'ERROR' },
      userErrors: [],
    });
    const none = await stack.gql(DISCONNECT, {
      input: { organizationId: orgId(ACME.id), provider: 'clerk', dryRun: true },
    });
    expect(none.body.data!.disconnectIntegration).toMatchObject({
      dryRun: true,
      userErrors: [{ code: 'NOT_CONNECTED' }],
    });
    expect(outlit().stats().byRoute[DISCONNECT_ROUTE]).toBeUndefined();
    expect(await connectedSlugs(ACME.id)).toEqual(['hubspot', 'slack', 'stripe']);
  });

  it('a 400 with ValidationIssues becomes VENDOR_REJECTED carrying the issues’ messages', async () => {
    outlit().addFault({
      method: 'POST',
      times: 1,
      status: 400,
      body: {
        error: 'Invalid request',
        details: [
          { path: ['provider'], message: 'Provider is being migrated, try again later' },
          { path: [], message: 'Organization is read-only' },
        ],
      },
    });
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), provider: 'stripe' } });
    const payload = body.data!.disconnectIntegration as { userErrors: { code: string; message: string }[] };
    expect(payload.userErrors).toHaveLength(1);
    expect(payload.userErrors[0]!.code).toBe('VENDOR_REJECTED');
    expect(payload.userErrors[0]!.message).toContain('provider: Provider is being migrated, try again later');
    expect(payload.userErrors[0]!.message).toContain('Organization is read-only');
    expect(await connectedSlugs(ACME.id)).toContain('stripe');
  });

  it('a 400 on a read is a typed UPSTREAM_REJECTED error tagged OUTLIT', async () => {
    outlit().addFault({
      pathPrefix: '/api/integrations/sync-status',
      status: 400,
      body: { error: 'Invalid request', details: [{ path: ['provider'], message: 'Unknown provider' }] },
    });
    const { body } = await stack.gql(CONNECTION, { id: connId(ACME.id, 'stripe') });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED', vendor: 'OUTLIT', status: 400 });
    expect(body.errors?.[0]?.message).toContain('provider: Unknown provider');
  });

  it('a 500 is UPSTREAM_UNAVAILABLE: for reads, and for a disconnect (an error, not a userError; nothing changed)', async () => {
    // On every attempt: reads are retried, so a single 500 would be absorbed.
    outlit().addFault({ method: 'GET', status: 500, body: { error: 'Internal server error' } });
    const read = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(read.body.errors?.[0]).toMatchObject({
      path: ['organization', 'connections'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'OUTLIT', status: 500 },
    });
    expect(JSON.stringify(read.body)).not.toContain('Internal server error');
    outlit().clearFaults();
    outlit().addFault({ method: 'POST', times: 1, status: 500, body: { error: 'Internal server error' } });
    const write = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), provider: 'stripe' } });
    expect(write.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', vendor: 'OUTLIT' });
    expect(
      outlit()
        .requests()
        .find((r) => r.method === 'POST')!.status,
    ).toBe(500);
    expect(await connectedSlugs(ACME.id)).toContain('stripe');
  });

  it('a 401 on the disconnect itself is UPSTREAM_UNAUTHORIZED, not a userError', async () => {
    outlit().addFault({ method: 'POST', times: 1, status: 401, body: { error: 'Invalid credentials' } });
    const { body } = await stack.gql(DISCONNECT, { input: { organizationId: orgId(ACME.id), provider: 'stripe' } });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      vendor: 'OUTLIT',
      status: 401,
    });
    expect(
      outlit()
        .requests()
        .find((r) => r.method === 'POST')!.status,
    ).toBe(401);
  });

  it('a 401 is UPSTREAM_UNAUTHORIZED, and Outlit’s body (echoing the key) never reaches the client', async () => {
    const opts = { apiKey: wrongKeyTenant.apiKey };
    const read = await stack.gql(ORG_CONNECTIONS, { id: orgId('acme') }, opts);
    expect(read.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      vendor: 'OUTLIT',
      status: 401,
    });
    const write = await stack.gql(DISCONNECT, { input: { organizationId: orgId('acme'), provider: 'stripe' } }, opts);
    expect(write.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'OUTLIT' });
    const echoed = outlit().requests().at(-1)!;
    expect(echoed.status).toBe(401);
    expect(JSON.stringify(echoed.responseBody)).toContain('ok_revoked_key_4242');
    expect(JSON.stringify([read.body, write.body])).not.toContain('ok_revoked_key_4242');
  });
});

describe('Outlit configuration', () => {
  const tenant = (outlit: Record<string, unknown>) => ({
    tenants: [{ id: 't1', apiKeySha256: [sha256('k')], vendors: { outlit } }],
  });

  it('defaults the base URL to the contract’s server', () => {
    const config = loadConfig({}, tenant({ organizations: [{ id: 'acme', apiKey: 'ok_live_1' }] }));
    expect(config.tenants[0]!.vendors.outlit!.baseUrl).toBe('https://app.outlit.ai');
  });

  it('rejects an API key that is not an Outlit key, and a duplicate organization, without echoing the key', () => {
    let error: unknown;
    try {
      loadConfig(
        {},
        tenant({
          organizations: [
            { id: 'acme', apiKey: 'sk_live_leaked_value' },
            { id: 'acme', apiKey: 'ok_live_2' },
          ],
        }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('tenants.0.vendors.outlit.organizations.0.apiKey');
    expect(message).toContain('ok_');
    expect(message).toContain('duplicate organization id');
    expect(message).not.toContain('sk_live_leaked_value');
  });
});
