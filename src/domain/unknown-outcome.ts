import type { VendorAdapter, DisconnectTarget } from '../vendors/port.js';
import type { routeConnection } from './connection-route.js';
import { GatewayError, GatewayErrorCode, UpstreamError, UserFacingError } from './errors.js';
import type { Vendor } from './models.js';

/**
 * A destructive write that timed out, or whose connection was reset after it
 * was sent, may have been applied. Its outcome is settled by reading the
 * vendor's state (is the connection still listed, still connected, are the
 * team keys the requested ones?): APPLIED answers as a success, NOT_APPLIED as
 * the original error (nothing changed, a retry is safe), and when the read
 * cannot decide, UPSTREAM_OUTCOME_UNKNOWN, which a keyed retry settles first.
 */

export type SettledOutcome<T> = { readonly applied: true; readonly result: T } | { readonly applied: false };

/** The write's outcome could not be settled; `ifApplied` is the answer a retry gives once a read shows it was. */
export class OutcomeUnknownError extends GatewayError {
  constructor(
    readonly vendor: Vendor,
    readonly ifApplied: unknown,
  ) {
    super(
      `${vendor} may or may not have applied the change (the call timed out or its connection was reset), and reading its state did not tell; retry with the same idempotency key to settle it`,
      GatewayErrorCode.UPSTREAM_OUTCOME_UNKNOWN,
      { vendor, outcome: 'UNKNOWN', retryAfter: 5 },
    );
  }
}

/** A write error after which the vendor may have acted (the transport marks it). */
export const isUnknownOutcome = (error: unknown): error is UpstreamError =>
  error instanceof UpstreamError && error.details.outcomeUnknown === true;

/** Private: the original error, saying that nothing was applied. */
const notApplied = (error: UpstreamError) =>
  new UpstreamError(error.vendor, error.code, error.message, { ...error.details, outcome: 'NOT_APPLIED' });

/** Runs a vendor write; when its outcome is unknown, `settle` reads the vendor's state to decide it. */
export async function settledWrite<T>(
  write: () => Promise<T>,
  settle: () => Promise<SettledOutcome<T>>,
  ifApplied: () => unknown,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUnknownOutcome(error)) throw error;
    let settled: SettledOutcome<T>;
    try {
      settled = await settle();
    } catch {
      throw new OutcomeUnknownError(error.vendor, ifApplied());
    }
    if (settled.applied) return settled.result;
    throw notApplied(error);
  }
}

/** Reads the vendor's state for a settling read; a read that fails leaves the outcome unknown. */
export async function settlingRead<T>(
  vendor: UpstreamError['vendor'],
  previous: { readonly ifApplied: unknown },
  read: () => Promise<T>,
) {
  try {
    return await read();
  } catch {
    throw new OutcomeUnknownError(vendor, previous.ifApplied);
  }
}

/** The connection is gone, or reported disconnected, at the vendor. */
export async function isRemoved(route: ReturnType<typeof routeConnection>): Promise<boolean> {
  const current = await route.adapter.getConnection(route.organizationId, route.key);
  return current === null || current.status === 'DISCONNECTED';
}

/** Nothing of the target is connected any more (a named action included). */
export async function isDisconnected(
  operation: NonNullable<VendorAdapter['disconnectIntegration']>,
  target: DisconnectTarget,
) {
  try {
    return (await operation.preview(target)) === null;
  } catch (error) {
    if (error instanceof UserFacingError && error.code === 'NOT_CONNECTED') return true;
    throw error;
  }
}

export const sameKeys = (a: readonly string[] | null, b: readonly string[]) =>
  a !== null && a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
