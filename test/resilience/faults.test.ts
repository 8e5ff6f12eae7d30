import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import type { FaultSpec } from '../../src/sandbox/simulator.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import {
  addFault,
  attemptsAt,
  errorsOf,
  EVERY_VENDOR,
  FAST_UPSTREAM,
  healthyRowsOf,
  otherErrors,
  vendorsOf,
  type EveryVendorResult,
} from './helpers.js';

/**
 * Each fault class, injected into one vendor's simulator at a time, through the
 * gateway: the failing vendor's fields carry the right code, each of its
 * resources was attempted the right number of times (retried or not), and
 * every other vendor still answers in full.
 */

interface FaultCase {
  readonly name: string;
  readonly fault: FaultSpec;
  readonly code: string;
  /** Attempts per resource: 3 when the policy retries (maxAttempts 3), 1 when it must not. */
  readonly attempts: number;
  readonly retryAfter?: number;
}

/**
 * Faults that cost three whole timeouts (real time: the per-attempt timeout is a socket deadline). The timeout
 * is the HTTP client's, the same for every vendor, so each runs once with every vendor faulted at the same
 * time (every adapter passes the code on) and once at one vendor (the others still answer in full).
 */
const TIMEOUT_CASES: readonly FaultCase[] = [
  { name: 'a hung upstream (no answer)', fault: { kind: 'hang' }, code: 'UPSTREAM_TIMEOUT', attempts: 3 },
  { name: 'a response that never finishes', fault: { kind: 'stall' }, code: 'UPSTREAM_TIMEOUT', attempts: 3 },
];

const CASES: readonly FaultCase[] = [
  { name: 'a 503', fault: { status: 503, body: { error: 'down' } }, code: 'UPSTREAM_UNAVAILABLE', attempts: 3 },
  { name: 'a 500', fault: { status: 500, body: { error: 'boom' } }, code: 'UPSTREAM_UNAVAILABLE', attempts: 3 },
  { name: 'a connection reset', fault: { kind: 'reset' }, code: 'UPSTREAM_UNAVAILABLE', attempts: 3 },
  {
    name: 'a 429 with a short Retry-After (waited out, then given up)',
    fault: { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } },
    code: 'RATE_LIMITED',
    attempts: 3,
    retryAfter: 0,
  },
  {
    name: 'a 429 with a Retry-After beyond the bound (not waited for)',
    fault: { status: 429, headers: { 'retry-after': '120' }, body: { error: 'slow down' } },
    code: 'RATE_LIMITED',
    attempts: 1,
    retryAfter: 120,
  },
  { name: 'a body that is not JSON', fault: { kind: 'malformed' }, code: 'UPSTREAM_BAD_RESPONSE', attempts: 1 },
  {
    name: 'a JSON body that breaks the contract',
    fault: { status: 200, body: 42 },
    code: 'UPSTREAM_BAD_RESPONSE',
    attempts: 1,
  },
];

// Started at collection time, so the cases below are generated for exactly the vendors this build simulates.
const stack: TestStack = await startStack({ config: { upstream: FAST_UPSTREAM } });
const vendors: Vendor[] = vendorsOf(stack);

describe('fault injection per vendor, through the gateway', () => {
  /** The healthy answer, per vendor: how many of its organizations come back whole. */
  const healthyRows = new Map<Vendor, number>();
  /**
   * Requests per path in the healthy answer, per vendor. Several distinct
   * requests may share a path (Supervity tells organizations apart by a
   * header), so attempts are compared with this rather than with 1.
   */
  const healthyPaths = new Map<Vendor, Record<string, number>>();

  beforeAll(async () => {
    const { body } = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    expect(body.errors).toBeUndefined();
    for (const vendor of vendors) {
      const rows = (body.data?.organizations ?? []).filter((o) => o?.vendor === vendor && o.connections);
      healthyRows.set(vendor, rows.length);
      expect(rows.length, `${vendor} has organizations in the demo tenant`).toBeGreaterThan(0);
      healthyPaths.set(vendor, attemptsAt(stack, vendor));
    }
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  /** The faulted vendor's fields carry the code, and each of its resources was attempted `attempts` times. */
  const expectFailed = (result: EveryVendorResult, vendor: Vendor, { code, attempts, retryAfter }: FaultCase) => {
    const failures = errorsOf(result, vendor);
    expect(failures.length).toBeGreaterThan(0);
    for (const error of failures) {
      expect(error.extensions).toMatchObject({ code, vendor });
      if (retryAfter !== undefined) expect(error.extensions?.retryAfter).toBe(retryAfter);
      expect(error.path?.[0]).toBe('organizations');
    }
    const perPath = Object.entries(attemptsAt(stack, vendor));
    expect(perPath.length).toBeGreaterThan(0);
    for (const [path, count] of perPath) expect(count, path).toBe(attempts * healthyPaths.get(vendor)![path]!);
  };

  /** Only `vendor` failed, and every other vendor's organizations came back whole. */
  const expectOthersWhole = (result: EveryVendorResult, vendor: Vendor) => {
    expect(otherErrors(result, vendor)).toEqual([]);
    for (const other of vendors.filter((v) => v !== vendor)) {
      expect(healthyRowsOf(result, vendor).filter((o) => o.vendor === other)).toHaveLength(healthyRows.get(other)!);
    }
  };

  describe.each(CASES)('$name', (faultCase) => {
    it.each(vendors)(
      'at %s: the failing fields carry the code, attempts are as the policy says, other vendors answer',
      async (vendor) => {
        addFault(stack, vendor, faultCase.fault);
        const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
        expect(result.status).toBe(200);
        expectFailed(result, vendor, faultCase);
        expectOthersWhole(result, vendor);
      },
    );
  });

  describe.each(TIMEOUT_CASES)('$name', (faultCase) => {
    it("at every vendor at once: each vendor's fields carry the code, attempts are as the policy says", async () => {
      for (const vendor of vendors) addFault(stack, vendor, faultCase.fault);
      const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
      expect(result.status).toBe(200);
      for (const vendor of vendors) expectFailed(result, vendor, faultCase);
    });

    it(`at ${vendors[0]}: the other vendors answer in full`, async () => {
      const vendor = vendors[0]!;
      addFault(stack, vendor, faultCase.fault);
      const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
      expect(result.status).toBe(200);
      expectFailed(result, vendor, faultCase);
      expectOthersWhole(result, vendor);
    });
  });

  it.each(vendors)('at %s: added latency below the timeout costs nothing but time', async (vendor) => {
    addFault(stack, vendor, { latencyMs: 150 });
    const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    expect(result.body.errors).toBeUndefined();
    const rows = (result.body.data?.organizations ?? []).filter((o) => o?.vendor === vendor && o.connections);
    expect(rows).toHaveLength(healthyRows.get(vendor)!);
    expect(attemptsAt(stack, vendor)).toEqual(healthyPaths.get(vendor));
  });

  // Every vendor at once (the wait is real time, a second each): each vendor's limited request is retried.
  it('at every vendor at once: one 429 with Retry-After: 1 is waited out and the retry succeeds', async () => {
    for (const vendor of vendors) addFault(stack, vendor, { status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    expect(result.body.errors).toBeUndefined();
    for (const vendor of vendors) {
      const seen = stack.sandbox.get(vendor).requests();
      const limited = seen.find((r) => r.status === 429);
      expect(limited, `${vendor} answered a 429`).toBeDefined();
      // The same request again: same path, query, body and headers (another organization's request may share the path).
      const identity = (r: (typeof seen)[number]) => JSON.stringify([r.method, r.path, r.query, r.body, r.headers]);
      const retried = seen.find((r) => r !== limited && identity(r) === identity(limited!));
      expect(retried?.status, `${vendor}'s retry`).toBe(200);
      // Retry-After is a lower bound on the wait, not a speed claim.
      expect(retried!.receivedAt - limited!.receivedAt, vendor).toBeGreaterThanOrEqual(1000);
    }
  });

  it.each(vendors)(
    'at %s: a transient failure that clears within the retries is invisible to the client',
    async (vendor) => {
      addFault(stack, vendor, { kind: 'reset', times: 1 });
      addFault(stack, vendor, { status: 503, times: 1 });
      const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
      expect(result.body.errors).toBeUndefined();
      const rows = (result.body.data?.organizations ?? []).filter((o) => o?.vendor === vendor && o.connections);
      expect(rows).toHaveLength(healthyRows.get(vendor)!);
    },
  );
});
