import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, legacyGlobalId, startStack, type TestStack } from '../helpers/stack.js';

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const orgId = (org: string) => globalId(['Organization', 'LEEN', org]);
const connId = (org: string, conn: string) => globalId(['Connection', 'LEEN', org, conn]);

const ORG_CONNECTIONS = /* GraphQL */ `
  query ($id: ID!, $filter: OrganizationConnectionFilter) {
    organization(id: $id) {
      id
      vendor
      externalId
      displayName
      connections(filter: $filter) {
        id
        externalId
        status
        vendorStatus
        accountIdentifier
        createdAt
        provider {
          slug
          displayName
          vendor
        }
        health {
          name
          status
          description
          resolutionOwner
          details {
            dataExportType
            endpoint
          }
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
        externalId
        status
        vendorStatus
      }
      organization {
        id
        displayName
      }
      userErrors {
        code
        message
        field
      }
    }
  }
`;

describe('Leen through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const leen = () => stack.sandbox.get('LEEN');

  it("lists an organization's connections with unified status and Leen's health", async () => {
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(body.errors).toBeUndefined();
    const org = body.data!.organization as { displayName: string; connections: Record<string, unknown>[] };
    expect(org.displayName).toBe('Acme Corp');
    expect(org.connections.map((c) => [c.externalId, c.status, c.vendorStatus])).toEqual(
      ACME.connections.map((c) => [c.id, c.state === 'DELETED' ? 'DISCONNECTED' : c.state, c.state]),
    );
    const crowdstrike = org.connections.find((c) => c.vendorStatus === 'PAUSED')!;
    expect(crowdstrike).toMatchObject({
      provider: { slug: 'CROWDSTRIKE', displayName: 'Crowdstrike', vendor: 'LEEN' },
      health: {
        name: 'UNAUTHORIZED',
        status: 'UNHEALTHY',
        resolutionOwner: 'CUSTOMER',
        details: [{ dataExportType: 'devices', endpoint: '/devices/queries/devices/v1' }],
      },
    });
    expect(leen().stats().byRoute).toEqual({ 'GET /provisioning/organizations/{organization_id}/connections': 1 });
  });

  it('Leen has no actions: every connection and provider lists none, an Action ID is NOT_FOUND, no call but the list', async () => {
    const { body } = await stack.gql(
      `query ($id: ID!) { organization(id: $id) { connections { actions { name } provider { actions { name } } } } }`,
      { id: orgId(ACME.id) },
    );
    expect(body.errors).toBeUndefined();
    expect((body.data!.organization as { connections: unknown[] }).connections).toEqual(
      ACME.connections.map(() => ({ actions: [], provider: { actions: [] } })),
    );
    expect(leen().stats().byRoute).toEqual({ 'GET /provisioning/organizations/{organization_id}/connections': 1 });
    const action = await stack.gql(`query ($id: ID!) { node(id: $id) { id } }`, {
      id: globalId(['Action', 'LEEN', ACME.id, 'TENABLE', 'scan']),
    });
    expect(action.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists a connection Leen claims for an organization the tenant lacks with no actions, not an error (actions come with the model)', async () => {
    const path = `/provisioning/organizations/${ACME.id}/connections`;
    const res = await fetch(`${leen().url}${path}`, { headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey } });
    const body = (await res.json()) as { organization_id: string }[];
    body[0]!.organization_id = randomUUID();
    leen().addFault({ method: 'GET', pathPrefix: path, status: 200, body });
    const { body: answer } = await stack.gql(
      `query ($id: ID!) { organization(id: $id) { connections { externalId actions { name } } } }`,
      { id: orgId(ACME.id) },
    );
    expect(answer.errors).toBeUndefined();
    expect((answer.data!.organization as { connections: unknown[] }).connections).toEqual(
      ACME.connections.map((c) => ({ externalId: c.id, actions: [] })),
    );
  });
  it('filters connections by unified status and provider', async () => {
    const byStatus = await stack.gql(ORG_CONNECTIONS, {
      id: orgId(ACME.id),
      filter: { status: ['PAUSED', 'PENDING'] },
    });
    const statuses = (byStatus.body.data!.organization as { connections: { status: string }[] }).connections.map(
      (c) => c.status,
    );
    expect(statuses.sort()).toEqual(['PAUSED', 'PENDING']);
    const byProvider = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id), filter: { provider: 'tenable' } });
    expect((byProvider.body.data!.organization as { connections: unknown[] }).connections).toHaveLength(1);
  });

  it('reads one connection by ID through GET connection', async () => {
    const conn = ACME.connections[0]!;
    const { body } = await stack.gql(
      `query ($id: ID!) { connection(id: $id) { externalId organization { externalId } } }`,
      {
        id: connId(ACME.id, conn.id),
      },
    );
    expect(body.data).toEqual({ connection: { externalId: conn.id, organization: { externalId: ACME.id } } });
    expect(leen().stats().byRoute).toEqual({
      'GET /provisioning/organizations/{organization_id}/connections/{connection_id}': 1,
    });
  });

  it('deleteConnection deletes the connection: the payload shows it deleted and later reads no longer list it', async () => {
    const target = GLOBEX.connections[0]!;
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(GLOBEX.id, target.id) } });
    expect(body.errors).toBeUndefined();
    expect(body.data!.deleteConnection).toEqual({
      dryRun: false,
      connection: {
        id: connId(GLOBEX.id, target.id),
        externalId: target.id,
        status: 'DISCONNECTED',
        vendorStatus: 'DELETED',
      },
      organization: { id: orgId(GLOBEX.id), displayName: 'Globex' },
      userErrors: [],
    });
    const after = await stack.gql(ORG_CONNECTIONS, { id: orgId(GLOBEX.id) });
    const ids = (after.body.data!.organization as { connections: { externalId: string }[] }).connections.map(
      (c) => c.externalId,
    );
    expect(ids).toEqual(GLOBEX.connections.slice(1).map((c) => c.id));
    expect(
      leen().stats().byRoute['DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}'],
    ).toBe(1);
  });

  it('a dry run reports the connection and calls no destructive endpoint', async () => {
    const target = ACME.connections[0]!;
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, target.id), dryRun: true } });
    expect(body.data!.deleteConnection).toMatchObject({
      dryRun: true,
      connection: { externalId: target.id, status: 'ACTIVE' },
      userErrors: [],
    });
    expect(
      leen()
        .requests()
        .filter((r) => r.method === 'DELETE'),
    ).toEqual([]);
  });

  it.each([
    ['not base64 JSON', 'not-an-id!'],
    [
      'an unknown format version',
      Buffer.from(JSON.stringify(['j9', 'Connection', 'LEEN', ACME.id, 'x'])).toString('base64url'),
    ],
    ['an unknown vendor', legacyGlobalId(['Connection', 'ACME', ACME.id, randomUUID()])],
    ['a Leen connection key that is not a UUID', connId(ACME.id, 'not-a-uuid')],
    ['the ID of an organization', orgId(ACME.id)],
  ])('a malformed or forged ID (%s) is BAD_USER_INPUT before any vendor call', async (_label, id) => {
    const { body } = await stack.gql(DELETE, { input: { connectionId: id } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
    const read = await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, { id });
    expect(read.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('an organization that is not configured for the tenant is NOT_FOUND without a vendor call', async () => {
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId(randomUUID()) });
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a connection Leen does not know is NOT_FOUND', async () => {
    const read = await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, {
      id: connId(ACME.id, randomUUID()),
    });
    expect(read.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const del = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, randomUUID()) } });
    expect(del.body.data!.deleteConnection).toMatchObject({ connection: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it("a Leen 422 on delete becomes the userError VENDOR_REJECTED carrying Leen's message", async () => {
    leen().addFault({
      method: 'DELETE',
      times: 1,
      status: 422,
      body: {
        detail: [
          { loc: ['path', 'connection_id'], msg: 'Connection is locked by a running sync', type: 'value_error' },
        ],
      },
    });
    const target = ACME.connections[0]!;
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(ACME.id, target.id) } });
    expect(body.data!.deleteConnection).toMatchObject({
      connection: null,
      userErrors: [
        { code: 'VENDOR_REJECTED', message: expect.stringContaining('Connection is locked by a running sync') },
      ],
    });
  });

  it('a Leen 422 on a read becomes a typed UPSTREAM_REJECTED error tagged with the vendor', async () => {
    leen().addFault({
      method: 'GET',
      status: 422,
      body: { detail: [{ loc: ['query', 'limit'], msg: 'Input should be less than 100', type: 'less_than' }] },
    });
    const { body } = await stack.gql(ORG_CONNECTIONS, { id: orgId(ACME.id) });
    expect(body.data).toEqual({
      organization: {
        id: orgId(ACME.id),
        vendor: 'LEEN',
        externalId: ACME.id,
        displayName: 'Acme Corp',
        connections: null,
      },
    });
    expect(body.errors?.[0]).toMatchObject({
      path: ['organization', 'connections'],
      extensions: { code: 'UPSTREAM_REJECTED', vendor: 'LEEN', status: 422 },
    });
  });

  it('deleteExternalAccount is refused for Leen before any vendor call', async () => {
    const id = connId(ACME.id, ACME.connections[0]!.id);
    const { body } = await stack.gql(DELETE, {
      input: { connectionId: id, deleteExternalAccount: true, confirmConnectionId: id },
    });
    expect(body.data!.deleteConnection).toMatchObject({
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'deleteExternalAccount'] }],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('updateSharing on a Leen connection is UNSUPPORTED_OPERATION', async () => {
    const { body } = await stack.gql(
      `mutation ($input: UpdateSharingInput!) { updateSharing(input: $input) { connection { id } userErrors { code } } }`,
      { input: { connectionId: connId(ACME.id, ACME.connections[0]!.id), teamKeys: [] } },
    );
    expect(body.data!.updateSharing).toEqual({ connection: null, userErrors: [{ code: 'UNSUPPORTED_OPERATION' }] });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  const REPAIR = /* GraphQL */ `
    query ($id: ID!) {
      organization(id: $id) {
        connections {
          externalId
          vendorStatus
          reauthorizeUrl
          syncedAt
        }
      }
    }
  `;
  type RepairConnection = { externalId: string; vendorStatus: string; reauthorizeUrl: string | null; syncedAt: string };
  const repairOf = async () => {
    const { body } = await stack.gql<{ organization: { connections: RepairConnection[] } }>(REPAIR, {
      id: orgId(ACME.id),
    });
    expect(body.errors).toBeUndefined();
    return body.data!.organization.connections;
  };

  it("serves Leen's authorize URL as reauthorizeUrl where a connection needs authorizing, null elsewhere", async () => {
    const byState = Object.fromEntries((await repairOf()).map((c) => [c.vendorStatus, c.reauthorizeUrl]));
    const [tenable, crowdstrike, wiz] = ACME.connections;
    expect(byState).toEqual({
      ACTIVE: null,
      // PAUSED with an UNAUTHORIZED health (credentials rejected) and PENDING (never authorized): both repairable.
      PAUSED: `https://app.leen.example/oauth2/authorize?connection_id=${crowdstrike!.id}`,
      PENDING: `https://app.leen.example/oauth2/authorize?connection_id=${wiz!.id}`,
    });
    expect(tenable!.state).toBe('ACTIVE');
  });

  it('drops an authorize URL that is not an http(s) URL (a javascript: link a frontend would render)', async () => {
    const [tenable, crowdstrike] = ACME.connections;
    const body = (id: string, url: string) => ({
      id,
      vendor: 'TENABLE',
      is_active: false,
      refresh_interval_secs: 86400,
      timeout_secs: 3600,
      organization_id: ACME.id,
      oauth2_authorize_url: url,
      identifier: null,
      state: 'PENDING',
      created_at: '2024-05-02T10:15:00Z',
      updated_at: '2024-06-01T08:00:00Z',
      health: {
        name: 'INITIALIZING',
        status: 'INITIALIZING',
        description: 'x',
        resolution_owner: 'LEEN',
        details: null,
      },
    });
    // Any http(s) URL is served as Leen wrote it, whatever the case of its scheme; one that does not parse is not.
    const served = ['HTTPS://app.leen.example/a', 'http://app.leen.example/b'];
    leen().addFault({
      method: 'GET',
      status: 200,
      body: [
        body(tenable!.id, 'javascript:alert(document.cookie)'),
        body(crowdstrike!.id, 'not a url'),
        body(randomUUID(), 'https://'),
        body(randomUUID(), 'https://exa mple.com/'),
        ...served.map((url) => body(randomUUID(), url)),
      ],
    });
    expect((await repairOf()).map((c) => c.reauthorizeUrl)).toEqual([null, null, null, null, ...served]);
  });

  it("a live read's syncedAt is when Leen answered, and stays that time while the read is served from cache", async () => {
    const before = Date.now();
    const first = await repairOf();
    const after = Date.now();
    const syncedAt = Date.parse(first[0]!.syncedAt);
    expect(syncedAt).toBeGreaterThanOrEqual(before);
    expect(syncedAt).toBeLessThanOrEqual(after);
    expect(new Set(first.map((c) => c.syncedAt)).size).toBe(1);

    const second = await repairOf();
    expect(leen().stats().total).toBe(1);
    expect(second.map((c) => c.syncedAt)).toEqual(first.map((c) => c.syncedAt));
  });
});
