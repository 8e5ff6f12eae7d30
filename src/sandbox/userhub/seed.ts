/**
 * UserHub demo data. The tenant has three connections (`conn_…`, tenant-wide
 * integrations); each organization links external accounts through some of
 * them. Acme and Globex both have a Stripe customer through the same connection.
 */
export interface UserHubSeedConnection {
  readonly id: string;
  readonly displayName: string;
  readonly type: string;
  readonly state: 'PENDING_SETUP' | 'ACTIVE' | 'BROKEN' | 'DISABLED' | 'ARCHIVED';
  readonly stateReason?: string;
}

export interface UserHubSeedAccount {
  readonly connectionId: string;
  readonly externalId: string;
  readonly state: string;
  readonly adminUrl?: string;
}

export interface UserHubSeedOrganization {
  readonly id: string;
  readonly name: string;
  readonly state: 'ACTIVE' | 'DISABLED' | 'ARCHIVED' | 'PENDING_DELETION';
  readonly accounts: readonly UserHubSeedAccount[];
}

export const USERHUB_SEED_CONNECTIONS: readonly UserHubSeedConnection[] = [
  { id: 'conn_4HdRKnTvPmmjYK', displayName: 'Stripe', type: 'STRIPE', state: 'ACTIVE' },
  {
    id: 'conn_8sLmQ2wZxY3aBc',
    displayName: 'Auth0',
    type: 'AUTH0',
    state: 'BROKEN',
    stateReason: 'INVALID_CREDENTIALS',
  },
  { id: 'conn_5GhJkL9pQrStUv', displayName: 'HubSpot', type: 'HUBSPOT', state: 'PENDING_SETUP' },
];

export const USERHUB_SEED: readonly UserHubSeedOrganization[] = [
  {
    id: 'org_28seyVGVL1got6',
    name: 'Acme Inc',
    state: 'ACTIVE',
    accounts: [
      {
        connectionId: 'conn_4HdRKnTvPmmjYK',
        externalId: 'cus_Q558vmXbYSPMma',
        state: 'ACTIVE',
        adminUrl: 'https://dashboard.stripe.com/test/customers/cus_Q558vmXbYSPMma',
      },
      { connectionId: 'conn_8sLmQ2wZxY3aBc', externalId: 'auth0|acme', state: 'ACTIVE' },
    ],
  },
  {
    id: 'org_3Kp9QwErTyUi7z',
    name: 'Globex',
    state: 'DISABLED',
    accounts: [
      { connectionId: 'conn_4HdRKnTvPmmjYK', externalId: 'cus_R7x2GlobexAbCd', state: 'ACTIVE' },
      { connectionId: 'conn_5GhJkL9pQrStUv', externalId: 'hs-44120', state: 'PENDING' },
    ],
  },
];

/** Private: a UserHub-shaped id (`org_`/`conn_` and 14 characters) that is the same on every run. */
const benchId = (prefix: 'org' | 'conn', n: number) => `${prefix}_Bench${n.toString(36).padStart(9, '0')}`;
const BENCH_TYPES = ['STRIPE', 'AUTH0', 'HUBSPOT', 'SALESFORCE', 'ZENDESK'] as const;
const BENCH_STATES: readonly UserHubSeedConnection['state'][] = ['ACTIVE', 'ACTIVE', 'BROKEN', 'PENDING_SETUP'];

/**
 * Generated UserHub data for the scale seed: `connectionsPerOrganization`
 * tenant-wide connections, and `organizations` organizations each linking one
 * external account through every one of them, the same on every run.
 */
export function generateUserHubSeed(
  organizations: number,
  connectionsPerOrganization: number,
): { organizations: UserHubSeedOrganization[]; connections: UserHubSeedConnection[] } {
  const connections = Array.from({ length: connectionsPerOrganization }, (_, c) => ({
    id: benchId('conn', c),
    displayName: `Bench ${BENCH_TYPES[c % BENCH_TYPES.length]} ${c + 1}`,
    type: BENCH_TYPES[c % BENCH_TYPES.length]!,
    state: BENCH_STATES[c % BENCH_STATES.length]!,
  }));
  return {
    connections,
    organizations: Array.from({ length: organizations }, (_, o) => ({
      id: benchId('org', o),
      name: `Bench UserHub Org ${o + 1}`,
      state: 'ACTIVE' as const,
      accounts: connections.map((c, i) => ({
        connectionId: c.id,
        externalId: `bench-${o + 1}-${i + 1}`,
        state: i % 5 === 4 ? 'PENDING' : 'ACTIVE',
      })),
    })),
  };
}
