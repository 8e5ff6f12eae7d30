import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';
import { FAST_UPSTREAM } from './helpers.js';

/**
 * Partial failure inside one vendor (one organization failing, the other
 * answering), and the retry rules for writes: a write is repeated only when
 * the vendor semantics make that harmless.
 */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const acmeConnections = `/provisioning/organizations/${ACME.id}/connections`;
const connId = (org: string, conn: string) => globalId(['Connection', 'LEEN', org, conn]);

const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      connection {
        externalId
        status
      }
      userErrors {
        code
      }
    }
  }
`;

describe('partial failure and write retries', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { upstream: FAST_UPSTREAM } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());
  const leen = () => stack.sandbox.get('LEEN');

  it('one failing organization costs only its own fields: the other organization answers in full', async () => {
    leen().addFault({ pathPrefix: acmeConnections, status: 503 });
    const { body } = await stack.gql<{
      organizations: { vendor: string; displayName: string; connections: { id: string }[] | null }[];
    }>('{ organizations { vendor displayName connections { id } } }');
    const leenRows = body.data!.organizations.filter((o) => o.vendor === 'LEEN');
    expect(leenRows.map((o) => [o.displayName, o.connections?.length ?? null])).toEqual([
      ['Acme Corp', null],
      ['Globex', GLOBEX.connections.length],
    ]);
    expect(body.errors).toHaveLength(1);
    const acmeIndex = body.data!.organizations.findIndex((o) => o.vendor === 'LEEN' && o.displayName === 'Acme Corp');
    expect(body.errors![0]).toMatchObject({
      path: ['organizations', acmeIndex, 'connections'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'LEEN', status: 503 },
    });
    // The message is ours: no vendor body, URL or credential.
    expect(JSON.stringify(body.errors)).not.toMatch(/down|provisioning|leen_sandbox_key/);
  });

  it('connections(...) lists the healthy organizations and reports the failing one in vendorErrors', async () => {
    leen().addFault({ pathPrefix: acmeConnections, status: 429, headers: { 'retry-after': '30' } });
    const { body } = await stack.gql<{
      connections: { nodes: { externalId: string }[]; vendorErrors: { vendor: string; code: string }[] };
    }>(
      '{ connections(filter: { vendor: [LEEN] }) { nodes { externalId } vendorErrors { vendor code organizationId } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.connections.nodes.map((n) => n.externalId).sort()).toEqual(
      GLOBEX.connections.map((c) => c.id).sort(),
    );
    expect(body.data!.connections.vendorErrors).toEqual([
      { vendor: 'LEEN', code: 'RATE_LIMITED', organizationId: globalId(['Organization', 'LEEN', ACME.id]) },
    ]);
  });

  it('a Leen delete that fails with a 503 is not repeated (a repeat of a delete that went through would say NOT_FOUND)', async () => {
    const target = GLOBEX.connections[0]!;
    leen().addFault({ method: 'DELETE', status: 503 });
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(GLOBEX.id, target.id) } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', vendor: 'LEEN' });
    expect(
      leen().stats().byRoute['DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}'],
    ).toBe(1);
  });

  it('a Leen delete that times out is not repeated either (the vendor may have acted)', async () => {
    const target = GLOBEX.connections[0]!;
    leen().addFault({ method: 'DELETE', kind: 'hang' });
    const { body } = await stack.gql(DELETE, { input: { connectionId: connId(GLOBEX.id, target.id) } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', vendor: 'LEEN' });
    expect(
      leen().stats().byRoute['DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}'],
    ).toBe(1);
  });

  it('a Leen delete refused with a 429 is repeated after Retry-After (the vendor did not act) and succeeds', async () => {
    const target = GLOBEX.connections[0]!;
    leen().addFault({ method: 'DELETE', status: 429, headers: { 'retry-after': '0' }, times: 1 });
    const { body } = await stack.gql<{ deleteConnection: { connection: { externalId: string; status: string } } }>(
      DELETE,
      { input: { connectionId: connId(GLOBEX.id, target.id) } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.deleteConnection.connection).toEqual({ externalId: target.id, status: 'DISCONNECTED' });
    expect(
      leen().stats().byRoute['DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}'],
    ).toBe(2);
  });

  it('a Supervity sharing update (idempotent: the body replaces the whole list) is repeated after a timeout and succeeds', async () => {
    const acme = SUPERVITY_SEED[0]!;
    const google = globalId(['Connection', 'SUPERVITY', acme.id, 'google-workspace:jane.doe@acme.com']);
    const supervity = stack.sandbox.get('SUPERVITY');
    supervity.addFault({ method: 'PATCH', kind: 'hang', times: 1 });
    const { body } = await stack.gql<{ updateSharing: { connection: { sharedTeamKeys: string[] } } }>(
      'mutation ($input: UpdateSharingInput!) { updateSharing(input: $input) { connection { sharedTeamKeys } userErrors { code } } }',
      { input: { connectionId: google, teamKeys: ['engineering'] } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.updateSharing.connection.sharedTeamKeys).toEqual(['engineering']);
    expect(supervity.stats().byRoute['PATCH /api/v1/integrations/accounts/{accountId}/sharing']).toBe(2);
  });
});
