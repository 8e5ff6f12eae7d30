import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { OUTLIT_SEED } from '../../src/sandbox/outlit/seed.js';
import { PM_USERS } from '../../src/sandbox/projectmanager/seed.js';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import { USERHUB_SEED } from '../../src/sandbox/userhub/seed.js';
import { startStack, type TestStack } from '../helpers/stack.js';

const CONNECTIONS = /* GraphQL */ `
  query ($filter: ConnectionFilter) {
    connections(filter: $filter) {
      totalCount
      nodes {
        vendor
        externalId
        organization {
          externalId
        }
      }
      vendorErrors {
        vendor
        code
      }
    }
  }
`;

interface ConnectionsResult {
  connections: {
    totalCount: number;
    nodes: { vendor: string; externalId: string; organization: { externalId: string } }[];
    vendorErrors: { vendor: string; code: string }[];
  };
}

/** Expected connection counts per vendor, from the seeds (UserHub lists account links with a tenant connection). */
const seeded = {
  SUPERVITY: SUPERVITY_SEED.reduce((n, o) => n + o.accounts.length, 0),
  USERHUB: USERHUB_SEED.reduce((n, o) => n + o.accounts.length, 0),
  LEEN: LEEN_SEED.reduce((n, o) => n + o.connections.length, 0),
};

describe('connections across vendors', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const countByVendor = (nodes: { vendor: string }[]) =>
    nodes.reduce<Record<string, number>>((counts, n) => ({ ...counts, [n.vendor]: (counts[n.vendor] ?? 0) + 1 }), {});

  it('reauthorizeUrl is null at every vendor but Leen, which offers one for its connections that need authorizing', async () => {
    const { body } = await stack.gql<{ connections: { nodes: { vendor: string; reauthorizeUrl: string | null }[] } }>(
      `{ connections { nodes { vendor reauthorizeUrl } } }`,
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.connections.nodes;
    expect(new Set(nodes.map((n) => n.vendor)).size).toBe(5);
    expect(nodes.filter((n) => n.vendor !== 'LEEN').every((n) => n.reauthorizeUrl === null)).toBe(true);
    expect(nodes.filter((n) => n.reauthorizeUrl !== null).map((n) => n.vendor)).toEqual(['LEEN', 'LEEN']);
  });

  it('lists every organization’s connections of Supervity, UserHub and Leen in one request, one call per organization', async () => {
    const { body } = await stack.gql<ConnectionsResult>(CONNECTIONS, {
      filter: { vendor: ['SUPERVITY', 'USERHUB', 'LEEN'] },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.connections.vendorErrors).toEqual([]);
    expect(countByVendor(body.data!.connections.nodes)).toEqual(seeded);
    expect(body.data!.connections.totalCount).toBe(seeded.SUPERVITY + seeded.USERHUB + seeded.LEEN);
    // Connection.organization reuses the listing's reads: one read per organization and vendor.
    expect(stack.sandbox.get('SUPERVITY').stats().total).toBe(SUPERVITY_SEED.length);
    expect(stack.sandbox.get('USERHUB').stats().total).toBe(USERHUB_SEED.length);
    expect(stack.sandbox.get('LEEN').stats().total).toBe(LEEN_SEED.length);
  });

  it('lists the connections of all five vendors in one request, one call per organization and vendor', async () => {
    // The demo tenant configures each ProjectManager workspace with its first user's token.
    const pmWorkspaces = PM_USERS.filter((u, i) => PM_USERS.findIndex((v) => v.workspace === u.workspace) === i);
    const all = {
      OUTLIT: OUTLIT_SEED.reduce((n, o) => n + o.connections.length, 0),
      ...seeded,
      PROJECTMANAGER: pmWorkspaces.reduce((n, u) => n + u.connections.length, 0),
    };
    const { body } = await stack.gql<ConnectionsResult>(CONNECTIONS);
    expect(body.errors).toBeUndefined();
    expect(body.data!.connections.vendorErrors).toEqual([]);
    expect(countByVendor(body.data!.connections.nodes)).toEqual(all);
    expect(Object.keys(countByVendor(body.data!.connections.nodes))).toEqual(Object.keys(all));
    expect(stack.sandbox.get('OUTLIT').stats().total).toBe(OUTLIT_SEED.length);
    expect(stack.sandbox.get('PROJECTMANAGER').stats().total).toBe(pmWorkspaces.length);
  });

  it('a failing vendor is reported in vendorErrors while the others are still listed', async () => {
    stack.sandbox.get('USERHUB').addFault({ status: 503, body: { code: 'UNAVAILABLE', message: 'down' } });
    const { body } = await stack.gql<ConnectionsResult>(CONNECTIONS, {
      filter: { vendor: ['SUPERVITY', 'USERHUB', 'LEEN'] },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.connections.vendorErrors).toEqual(
      USERHUB_SEED.map(() => ({ vendor: 'USERHUB', code: 'UPSTREAM_UNAVAILABLE' })),
    );
    expect(countByVendor(body.data!.connections.nodes)).toEqual({ SUPERVITY: seeded.SUPERVITY, LEEN: seeded.LEEN });
  });
});
