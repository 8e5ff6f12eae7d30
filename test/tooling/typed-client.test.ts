import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import {
  ConnectionsAcrossVendorsDocument,
  ConnectionsPageDocument,
  DashboardDocument,
  DeleteConnectionDocument,
  DisconnectIntegrationDocument,
  OrganizationsPageDocument,
  UpdateSharingDocument,
  type ConnectionsPageQuery,
  type DashboardQuery,
} from '../client/__generated__/graphql.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';
import { createClient } from './client.js';

/**
 * The client round trip: the operations of test/client/operations, typed by
 * the client preset from the running gateway's introspection, sent through
 * urql to a gateway. A schema change that breaks them fails here (and in
 * `npm run codegen:check` and the typecheck before that).
 */

const [ACME] = LEEN_SEED as [(typeof LEEN_SEED)[number]];
const [TENABLE, CROWDSTRIKE] = ACME.connections as [
  (typeof ACME.connections)[number],
  (typeof ACME.connections)[number],
];
const connectionId = (conn: string) => globalId(['Connection', 'LEEN', ACME.id, conn]);
const [SUPERVITY_ACME] = SUPERVITY_SEED as [(typeof SUPERVITY_SEED)[number]];
const GOOGLE_WORKSPACE = globalId(['Connection', 'SUPERVITY', SUPERVITY_ACME.id, 'google-workspace:jane.doe@acme.com']);

describe('the typed client against the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const client = () => createClient(stack.gateway.url, stack.tenant.apiKey).client;

  it('runs the dashboard query and gets the typed shape back', async () => {
    const result = await client()
      .query(DashboardDocument, { status: ['ACTIVE', 'PAUSED'] })
      .toPromise();
    expect(result.error).toBeUndefined();
    const organizations: DashboardQuery['organizations'] = result.data!.organizations;
    // The demo tenant has organizations at all five vendors.
    expect(new Set(organizations.map((o) => o?.vendor))).toEqual(
      new Set(['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER']),
    );
    const acme = organizations.find((o) => o?.vendor === 'LEEN' && o.displayName === 'Acme Corp');
    const statuses = acme?.connections?.map((c) => [c.provider.slug, c.status, c.health?.name]);
    expect(statuses).toEqual([
      ['TENABLE', 'ACTIVE', 'HEALTHY'],
      ['CROWDSTRIKE', 'PAUSED', 'UNAUTHORIZED'],
    ]);
  });

  it('runs the cross-vendor listing with a typed filter', async () => {
    const result = await client()
      .query(ConnectionsAcrossVendorsDocument, { filter: { vendor: ['LEEN'], status: ['PENDING'] } })
      .toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data!.connections.nodes.map((n) => n.externalId)).toEqual([ACME.connections[2]!.id]);
    expect(result.data!.connections.vendorErrors).toEqual([]);
  });

  it('pages connections and organizations with typed cursors, walking every one once', async () => {
    const all = await client().query(ConnectionsAcrossVendorsDocument, {}).toPromise();
    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 50; n++) {
      const result = await client().query(ConnectionsPageDocument, { first: 4, after }).toPromise();
      expect(result.error).toBeUndefined();
      const page: ConnectionsPageQuery['connections'] = result.data!.connections;
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.totalCount).toBeGreaterThanOrEqual(seen.length);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? null;
    }
    expect([...seen].sort()).toEqual(all.data!.connections.nodes.map((c) => c.id).sort());
    const organizations = await client().query(OrganizationsPageDocument, { first: 3 }).toPromise();
    expect(organizations.data!.organizationPage.nodes).toHaveLength(3);
    expect(organizations.data!.organizationPage.pageInfo.hasNextPage).toBe(true);
  });

  it('deleteConnection: a dry run changes nothing, the real one deletes at Leen', async () => {
    const id = connectionId(TENABLE.id);
    const dry = await client()
      .mutation(DeleteConnectionDocument, { input: { connectionId: id, dryRun: true } })
      .toPromise();
    expect(dry.data!.deleteConnection).toMatchObject({
      dryRun: true,
      userErrors: [],
      connection: { id, status: 'ACTIVE' },
    });
    expect(
      stack.sandbox
        .get('LEEN')
        .requests()
        .filter((r) => r.method === 'DELETE'),
    ).toEqual([]);

    const real = await client()
      .mutation(DeleteConnectionDocument, { input: { connectionId: id } })
      .toPromise();
    expect(real.data!.deleteConnection).toMatchObject({
      dryRun: false,
      userErrors: [],
      connection: { id, status: 'DISCONNECTED' },
    });
    expect(
      stack.sandbox
        .get('LEEN')
        .requests()
        .filter((r) => r.method === 'DELETE'),
    ).toHaveLength(1);
  });

  it('disconnectIntegration and updateSharing run against Supervity', async () => {
    const disconnect = await client()
      .mutation(DisconnectIntegrationDocument, { input: { connectionId: GOOGLE_WORKSPACE, action: 'send-email' } })
      .toPromise();
    expect(disconnect.error).toBeUndefined();
    expect(disconnect.data!.disconnectIntegration).toMatchObject({
      dryRun: false,
      disconnectedActionCount: 1,
      connection: { id: GOOGLE_WORKSPACE },
      userErrors: [],
    });
    const sharing = await client()
      .mutation(UpdateSharingDocument, { input: { connectionId: GOOGLE_WORKSPACE, teamKeys: ['engineering'] } })
      .toPromise();
    expect(sharing.data!.updateSharing).toEqual({
      connection: { id: GOOGLE_WORKSPACE, sharedTeamKeys: ['engineering'] },
      userErrors: [],
    });
    expect(
      stack.sandbox
        .get('SUPERVITY')
        .requests()
        .filter((r) => r.method !== 'GET')
        .map((r) => r.method),
    ).toEqual(['DELETE', 'PATCH']);
  });

  it('automation branches on typed userError codes: Leen has no updateSharing', async () => {
    const sharing = await client()
      .mutation(UpdateSharingDocument, { input: { connectionId: connectionId(CROWDSTRIKE.id), teamKeys: [] } })
      .toPromise();
    expect(sharing.error).toBeUndefined();
    expect(sharing.data!.updateSharing.connection).toBeNull();
    expect(sharing.data!.updateSharing.userErrors.map((e) => e.code)).toEqual(['UNSUPPORTED_OPERATION']);
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a bad ID is a typed GraphQL error the client surfaces, before any vendor call', async () => {
    const result = await client()
      .mutation(DeleteConnectionDocument, { input: { connectionId: 'not-a-global-id' } })
      .toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});
