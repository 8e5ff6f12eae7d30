import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { sourceOf } from '../../src/vendors/compiled-wire.js';
import { LeenConnection, LeenConnectionList, LeenConnectionWithOrganization } from '../../src/vendors/leen/wire.js';

/**
 * A compiled wire schema answers every body exactly as the schema it was made
 * from: the same parsed value for a body that keeps the contract, the same
 * issues (and so the same failure and log line) for one that breaks it. Held
 * to it on valid bodies and on every body one change away from them.
 */

const leenConnection = (overrides: Record<string, unknown> = {}) => ({
  id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  vendor: 'TENABLE',
  is_active: true,
  refresh_interval_secs: 86400,
  timeout_secs: 3600,
  organization_id: '9b2f1d4e-7a6c-4e11-8f3b-2d5c6a7e8f90',
  oauth2_authorize_url: 'https://app.leen.example/oauth2/authorize?connection_id=3c90c3cc',
  identifier: 'acme-tenable-prod',
  state: 'ACTIVE',
  created_at: '2024-05-02T10:15:00Z',
  updated_at: '2024-06-01T08:00:00Z',
  health: {
    name: 'UNAUTHORIZED',
    status: 'UNHEALTHY',
    description: 'The vendor rejected the stored credentials',
    resolution_owner: 'CUSTOMER',
    details: [{ data_export_type: 'devices', endpoint: '/devices/queries/devices/v1' }, { endpoint: '/x' }],
  },
  ...overrides,
});
const sparse = () => {
  const c: Record<string, unknown> = leenConnection({ identifier: null, health: { ...leenConnection().health } });
  delete c.oauth2_authorize_url;
  delete (c.health as Record<string, unknown>).details;
  return c;
};

const REPLACEMENTS: readonly unknown[] = [
  undefined,
  null,
  0,
  1.5,
  -1,
  '',
  'x',
  '3C90C3CC-0D44-4B50-8888-8DD25736052A',
  true,
  {},
  [],
  [{}],
  Number.NaN,
];

/** Every value one change away from `value`: each node replaced by each of REPLACEMENTS, each object given an unknown key. */
function* neighbours(value: unknown): Generator<unknown> {
  for (const replacement of REPLACEMENTS) yield replacement;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      for (const changed of neighbours(item)) yield value.map((v, j) => (j === i ? changed : v));
      yield value.filter((_, j) => j !== i);
    }
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    yield { ...value, unknown_field: 'kept out' };
    for (const [key, item] of entries) {
      for (const changed of neighbours(item)) {
        const next: Record<string, unknown> = { ...value, [key]: changed };
        if (changed === undefined) delete next[key];
        yield next;
      }
    }
  }
}

function expectSameAnswer(compiled: z.ZodType, body: unknown) {
  const source = sourceOf(compiled);
  expect(source, 'made by compiledWire').toBeDefined();
  expect(source, 'zod compiled it (z.compile hands back a schema it cannot compile)').not.toBe(compiled);
  const expected = source!.safeParse(body);
  const actual = compiled.safeParse(body);
  expect(actual.success).toBe(expected.success);
  if (expected.success) expect(actual.data).toStrictEqual(expected.data);
  else expect(actual.error!.issues).toStrictEqual(expected.error.issues);
  return expected.success;
}

describe('compiled wire schemas', () => {
  it('Leen connection list: the same value or the same issues for every body one change away from valid ones', () => {
    const bodies = [
      [leenConnection(), sparse()],
      { items: [sparse()] },
      { data: [leenConnection()] },
      { connections: [leenConnection(), sparse()] },
      [],
    ];
    let valid = 0;
    let invalid = 0;
    for (const body of bodies)
      for (const candidate of [body, ...neighbours(body)])
        if (expectSameAnswer(LeenConnectionList, candidate)) valid += 1;
        else invalid += 1;
    // Both kinds were exercised in numbers, not only one.
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(500);
  });

  it('Leen connection, and with its organization: the same value or the same issues', () => {
    for (const schema of [LeenConnection, LeenConnectionWithOrganization])
      for (const body of [leenConnection(), sparse(), leenConnection({ organization_name: 'Acme' })])
        for (const candidate of [body, ...neighbours(body)]) expectSameAnswer(schema, candidate);
  });

  it('a valid Leen list is read without its unknown fields, an invalid one fails as the contract says', () => {
    const parsed = LeenConnectionList.parse({ items: [{ ...leenConnection(), extra: 1 }] });
    expect(parsed[0]).not.toHaveProperty('extra');
    const broken = LeenConnectionList.safeParse([leenConnection({ id: 'not-a-uuid' })]);
    expect(broken.success).toBe(false);
  });
});
