import type { Vendor } from '../../src/domain/models.js';
import type { FaultSpec } from '../../src/sandbox/simulator.js';
import type { GraphQLResult, TestStack } from '../helpers/stack.js';

/**
 * Shared by the fault suite: a query that touches every configured vendor, and
 * readers for what the gateway answered and what each simulator saw.
 */

/** Every organization of every vendor, with its connections: at least one call per vendor. */
export const EVERY_VENDOR = /* GraphQL */ `
  query EveryVendor {
    organizations {
      id
      vendor
      displayName
      connections {
        id
        status
      }
    }
  }
`;

export interface OrganizationRow {
  id: string;
  vendor: Vendor;
  connections: { id: string; status: string }[] | null;
}

export type EveryVendorResult = GraphQLResult<{ organizations: (OrganizationRow | null)[] }>;

/** Upstream settings that make faults quick to observe; the breaker stays out of the way unless a test wants it. */
export const FAST_UPSTREAM = {
  // Short, so hung upstreams are cut quickly; long enough for a healthy answer on a loaded 2-core CI machine.
  timeoutMs: 750,
  retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1500 },
  breaker: { failureThreshold: 10_000, halfOpenAfterMs: 60_000 },
};

/** The vendors the sandbox simulates and the demo tenant configures. */
export const vendorsOf = (stack: TestStack): Vendor[] => [...stack.sandbox.simulators.keys()];

export const errorsOf = (result: GraphQLResult, vendor: Vendor) =>
  (result.body.errors ?? []).filter((e) => e.extensions?.vendor === vendor);

export const otherErrors = (result: GraphQLResult, vendor: Vendor) =>
  (result.body.errors ?? []).filter((e) => e.extensions?.vendor !== vendor);

/** Requests per concrete path at one vendor since the last reset: the number of attempts per resource. */
export const attemptsAt = (stack: TestStack, vendor: Vendor) => stack.sandbox.get(vendor).stats().byPath;

export const addFault = (stack: TestStack, vendor: Vendor, fault: FaultSpec) =>
  stack.sandbox.get(vendor).addFault(fault);

/** Organizations of vendors other than `vendor` that came back whole (connections listed). */
export const healthyRowsOf = (result: EveryVendorResult, vendor: Vendor) =>
  (result.body.data?.organizations ?? []).filter(
    (o): o is OrganizationRow => o !== null && o.vendor !== vendor && Array.isArray(o.connections),
  );

export const metricValue = (text: string, name: string, labels: Record<string, string>): number => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(l.indexOf('{'), l.lastIndexOf('}')).includes(w)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

export const scrape = async (stack: TestStack) => (await fetch(new URL('/metrics', stack.gateway.url))).text();
