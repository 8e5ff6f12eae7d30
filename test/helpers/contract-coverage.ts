import type { Vendor } from '../../src/domain/models.js';
import type { RunningSimulator } from '../../src/sandbox/simulator.js';
import { snapshotExchange } from './contract-guard.js';
import { loadContract, type ExchangeUnderTest } from './contracts.js';

/**
 * Which contract operations a test exercised, and with which statuses, from
 * the traffic a simulator recorded. Contract tests use it to prove that every
 * operation of a vendor's contract was driven through the gateway.
 */

export interface OperationCoverage {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  /** Statuses the sandbox itself produced (route or auth check; not injected faults), ascending. */
  readonly statuses: readonly number[];
}

export function contractCoverage(vendor: Vendor, traffic: readonly ExchangeUnderTest[]): OperationCoverage[] {
  const contract = loadContract(vendor);
  return contract.operations.map((op) => {
    const statuses = new Set<number>();
    for (const r of traffic)
      if (r.servedBy !== 'fault' && contract.findOperation(r.method, r.path)?.operationId === op.operationId)
        statuses.add(r.status);
    return {
      operationId: op.operationId,
      method: op.method,
      path: op.path,
      statuses: [...statuses].sort((a, b) => a - b),
    };
  });
}

/** Operations never answered with a 2xx by the sandbox: what a contract test still has to drive. */
export const unexercisedOperations = (coverage: readonly OperationCoverage[]) =>
  coverage
    .filter((c) => !c.statuses.some((s) => s >= 200 && s < 300))
    .map((c) => `${c.operationId} (${c.method} ${c.path})`);

/** Collects every request a simulator serves from now on, across resets; returns the growing list and a stop function. */
export function collectTraffic(simulator: RunningSimulator): { traffic: ExchangeUnderTest[]; stop: () => void } {
  const traffic: ExchangeUnderTest[] = [];
  const stop = simulator.onRequest((r) => traffic.push(snapshotExchange(r)));
  return { traffic, stop };
}

export interface DiscoveredConnection {
  readonly id: string;
  readonly externalId: string;
  readonly status: string;
  readonly provider: { readonly slug: string };
  readonly actions: readonly { readonly name: string }[] | null;
}
export interface DiscoveredOrganization {
  readonly id: string;
  readonly externalId: string;
  readonly connections: readonly DiscoveredConnection[];
}

/** A vendor's organizations and connections as the gateway shows them (one read per organization). */
export async function discoverOrganizations(
  stack: { gql: (query: string) => Promise<{ body: { data?: unknown; errors?: unknown } }> },
  vendor: Vendor,
): Promise<DiscoveredOrganization[]> {
  const { body } = await stack.gql(
    `{ organizations { id vendor externalId connections { id externalId status provider { slug } actions { name } } } }`,
  );
  if (body.errors) throw new Error(`organizations query failed: ${JSON.stringify(body.errors)}`);
  const all = (body.data as { organizations: (DiscoveredOrganization & { vendor: Vendor })[] }).organizations;
  return all.filter((o) => o.vendor === vendor);
}
