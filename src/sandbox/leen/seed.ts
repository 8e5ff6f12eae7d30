/** Leen demo data: two organizations and their security-tool connections. */
export interface LeenSeedConnection {
  readonly id: string;
  readonly vendor: string;
  readonly state: 'PENDING' | 'ACTIVE' | 'PAUSED' | 'DELETED';
  readonly identifier: string | null;
  readonly health: 'HEALTHY' | 'UNAUTHORIZED' | 'INITIALIZING';
}

export interface LeenSeedOrganization {
  readonly id: string;
  readonly name: string;
  readonly connections: readonly LeenSeedConnection[];
}

export const LEEN_SEED: readonly LeenSeedOrganization[] = [
  {
    id: '9b2f1d4e-7a6c-4e11-8f3b-2d5c6a7e8f90',
    name: 'Acme Corp',
    connections: [
      {
        id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
        vendor: 'TENABLE',
        state: 'ACTIVE',
        identifier: 'acme-tenable-prod',
        health: 'HEALTHY',
      },
      {
        id: '5e8a1b2c-3d4f-4a6b-9c7d-8e9f0a1b2c3d',
        vendor: 'CROWDSTRIKE',
        state: 'PAUSED',
        identifier: null,
        health: 'UNAUTHORIZED',
      },
      {
        id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        vendor: 'WIZ',
        state: 'PENDING',
        identifier: 'acme-wiz',
        health: 'INITIALIZING',
      },
    ],
  },
  {
    id: '2d4f6a8c-1b3e-4d5f-9a7c-0e2f4a6c8b1d',
    name: 'Globex',
    connections: [
      {
        id: '8b9c0d1e-2f3a-4b5c-9d6e-7f8a9b0c1d2e',
        vendor: 'QUALYS',
        state: 'ACTIVE',
        identifier: 'globex-qualys',
        health: 'HEALTHY',
      },
      {
        id: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
        vendor: 'SENTINELONE',
        state: 'ACTIVE',
        identifier: null,
        health: 'HEALTHY',
      },
    ],
  },
];

const BENCH_PROVIDERS = ['TENABLE', 'CROWDSTRIKE', 'WIZ', 'QUALYS', 'SENTINELONE', 'RAPID7', 'SNYK', 'ORCA'] as const;
const BENCH_STATES: readonly LeenSeedConnection['state'][] = ['ACTIVE', 'ACTIVE', 'PAUSED', 'PENDING'];

/** Private: a deterministic RFC 4122 (version 4 layout) UUID from two counters. */
const benchUuid = (high: number, low: number) =>
  `${high.toString(16).padStart(8, '0')}-0000-4000-8000-${low.toString(16).padStart(12, '0')}`;

/**
 * Generated Leen data for benchmarks: `organizations` organizations of
 * `connectionsPerOrganization` connections each, with ids, providers and
 * states that are the same on every run. `firstIndex` numbers them from
 * there (the bench's bulk organization comes after the others).
 */
export function generateLeenSeed(
  organizations: number,
  connectionsPerOrganization: number,
  firstIndex = 0,
): LeenSeedOrganization[] {
  return Array.from({ length: organizations }, (_, i) => i + firstIndex).map((o) => ({
    id: benchUuid(0xbe4c0000 + o, 0),
    name: `Bench Org ${o + 1}`,
    connections: Array.from({ length: connectionsPerOrganization }, (_, c) => ({
      id: benchUuid(0xbe4c0000 + o, c + 1),
      vendor: BENCH_PROVIDERS[c % BENCH_PROVIDERS.length]!,
      state: BENCH_STATES[c % BENCH_STATES.length]!,
      identifier: c % 3 === 0 ? null : `bench-${o + 1}-${c + 1}`,
      health: c % 5 === 4 ? 'UNAUTHORIZED' : 'HEALTHY',
    })),
  }));
}
