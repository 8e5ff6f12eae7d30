import { createHash } from 'node:crypto';
import type { LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { globalId } from '../helpers/stack.js';

/**
 * A dashboard-sized Leen tenant: 25 organizations with 2 connections each, and
 * the query a dashboard sends: every organization with its connections and
 * their providers, plus 25 connections looked up by ID. 50 distinct upstream
 * resources: 25 connection lists and 25 single connections.
 */

const uuid = (label: string) => {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const TOOLS = ['TENABLE', 'CROWDSTRIKE', 'WIZ', 'QUALYS', 'SENTINELONE'] as const;

export const DASHBOARD_SEED: readonly LeenSeedOrganization[] = Array.from({ length: 25 }, (_, o) => ({
  id: uuid(`org-${o}`),
  name: `Org ${o}`,
  connections: Array.from({ length: 2 }, (_, c) => ({
    id: uuid(`org-${o}-conn-${c}`),
    vendor: TOOLS[(o + c) % TOOLS.length]!,
    state: 'ACTIVE' as const,
    identifier: `org-${o}-${c}`,
    health: 'HEALTHY' as const,
  })),
}));

export const connectionGid = (org: LeenSeedOrganization, index: number) =>
  globalId(['Connection', 'LEEN', org.id, org.connections[index]!.id]);

export const DASHBOARD_QUERY = /* GraphQL */ `
  query Dashboard {
    organizations {
      id
      displayName
      connections {
        id
        externalId
        status
        provider {
          slug
          displayName
        }
      }
    }
    ${DASHBOARD_SEED.map((org, i) => `c${i}: connection(id: "${connectionGid(org, 0)}") { id status }`).join('\n    ')}
  }
`;

export const LIST_ROUTE = 'GET /provisioning/organizations/{organization_id}/connections';
export const GET_ROUTE = 'GET /provisioning/organizations/{organization_id}/connections/{connection_id}';

export const DELETE_CONNECTION = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      connection {
        externalId
        vendorStatus
      }
      userErrors {
        code
      }
    }
  }
`;

export type DashboardData = {
  organizations: { id: string; connections: { externalId: string }[] }[];
} & Record<string, unknown>;

/** The connection IDs the dashboard lists for one organization. */
export const listedConnections = (data: DashboardData | null | undefined, org: LeenSeedOrganization) =>
  data?.organizations
    .find((o) => o.id === globalId(['Organization', 'LEEN', org.id]))
    ?.connections.map((c) => c.externalId)
    .sort();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (condition waits, not timing assertions). */
export async function eventually(what: string, check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`never happened: ${what}`);
}
