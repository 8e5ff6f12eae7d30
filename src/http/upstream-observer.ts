import type { Vendor } from '../domain/models.js';

/**
 * What the HTTP layer reports about vendor calls. Metrics implement it
 * (src/observability/metrics.ts); the HTTP layer knows nothing of Prometheus.
 */

/** Closed: calls flow. Open: calls fail fast. Half-open: one trial call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface UpstreamObserver {
  /**
   * One attempt finished. `outcome` is the HTTP status ("200", "503") when the
   * vendor answered, else a network outcome ("timeout", "unreachable", "bad_body").
   */
  attempt(vendor: Vendor, method: string, outcome: string, seconds: number): void;
  /** An attempt failed and another one follows; `reason` is the outcome that caused it. */
  retry(vendor: Vendor, reason: string): void;
  /** The breaker of one vendor and tenant changed state. */
  breakerState(vendor: Vendor, tenantId: string, state: BreakerState): void;
  /** A call was refused without being sent because the breaker is open. */
  breakerRejected(vendor: Vendor, tenantId: string): void;
  /** A call was refused without being sent because the tenant already had its most calls to the vendor waiting. */
  bulkheadRejected(vendor: Vendor, tenantId: string): void;
}

export const noopUpstreamObserver: UpstreamObserver = {
  attempt: () => {},
  retry: () => {},
  breakerState: () => {},
  breakerRejected: () => {},
  bulkheadRejected: () => {},
};
