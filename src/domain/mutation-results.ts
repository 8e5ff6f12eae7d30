import { GatewayErrorCode, NotFoundError, UpstreamError, UserFacingError } from './errors.js';
import type { IdempotencyGuard, IdempotentCall } from './idempotency.js';
import { textInputViolations } from './input-policy.js';
import type { ActionModel, ConnectionModel, OrganizationModel, UserErrorModel, Vendor } from './models.js';

/** The result of a mutation use case, and the helpers that build its expected failures. */

/** What a mutation payload is built from; `organization` is loaded lazily from `organizationRef` when not given. */
export interface MutationResultModel {
  readonly connection: ConnectionModel | null;
  readonly organization: OrganizationModel | null;
  readonly organizationRef: { readonly vendor: Vendor; readonly organizationId: string } | null;
  readonly disconnectedActionCount: number;
  readonly dryRun: boolean;
  /** A dry run's list of what a disconnect would remove (none when absent). */
  readonly affectedConnections?: readonly ConnectionModel[];
  readonly affectedActions?: readonly ActionModel[];
  readonly userErrors: readonly UserErrorModel[];
}

export const failed = (userErrors: readonly UserErrorModel[], dryRun = false): MutationResultModel => ({
  connection: null,
  organization: null,
  organizationRef: null,
  disconnectedActionCount: 0,
  dryRun,
  userErrors,
});

export const toUserError = (e: UserFacingError): UserErrorModel => ({
  code: e.code,
  message: e.message,
  field: e.field,
});

export const unsupported = (vendor: Vendor, operation: string, field: string): UserErrorModel => ({
  code: 'UNSUPPORTED_OPERATION',
  message: `${vendor} connections do not support ${operation}`,
  field: ['input', field],
});

/** Free text that breaks the input policy (input-policy.ts), as INVALID_INPUT userErrors. */
export const policyErrors = (...fields: Parameters<typeof textInputViolations>[0]): UserErrorModel[] =>
  textInputViolations(fields).map(({ field, message }) => ({ code: 'INVALID_INPUT', message, field }));

/**
 * The vendor no longer has the connection the caller named by ID
 * (deleted there after Junction cached it): the same NOT_FOUND as for an ID
 * that was never there, whichever vendor and whatever the cache held.
 */
export async function goneIsNotFound<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const gone =
      (error instanceof UpstreamError && error.code === GatewayErrorCode.NOT_FOUND) ||
      (error instanceof UserFacingError && (error.code === 'NOT_FOUND' || error.code === 'NOT_CONNECTED'));
    if (gone) throw new NotFoundError('Connection', id);
    throw error;
  }
}

/**
 * Expected vendor answers become userErrors (nothing changed);
 * everything else stays an error. A vendor's rejection of our request is
 * expected input trouble; its being down is not.
 */
export async function asUserErrors(
  run: () => Promise<MutationResultModel>,
  dryRun: boolean,
): Promise<MutationResultModel> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UserFacingError) return failed([toUserError(error)], dryRun);
    if (error instanceof NotFoundError)
      return failed([{ code: 'NOT_FOUND', message: error.message, field: ['input'] }], dryRun);
    if (error instanceof UpstreamError && error.code === GatewayErrorCode.UPSTREAM_REJECTED) {
      return failed([{ code: 'VENDOR_REJECTED', message: error.message, field: ['input'] }], dryRun);
    }
    throw error;
  }
}

/**
 * Runs a mutation through the request's idempotency guard: a keyed retry gets
 * the first result back, and a key already used with another input is the
 * userError IDEMPOTENCY_KEY_REUSED (nothing is called).
 */
export async function withIdempotency(
  guard: IdempotencyGuard,
  call: IdempotentCall,
  run: (previous?: { readonly ifApplied: unknown }) => Promise<MutationResultModel>,
): Promise<MutationResultModel> {
  const outcome = await guard.run(call, run);
  if (outcome.kind === 'result') return outcome.value;
  return failed(
    [
      {
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This idempotency key was already used with a different input; use a new key for a new request',
        field: ['input', 'idempotencyKey'],
      },
    ],
    call.input.dryRun === true,
  );
}
