import { BadUserInputError, GatewayErrorCode, NotFoundError, UpstreamError, UserFacingError } from './errors.js';
import { decodeGlobalIdOf } from './global-id.js';
import type { ConnectionModel, OrganizationModel, UserErrorModel, Vendor } from './models.js';
import { getConnection } from './reads.js';
import type { IdempotencyGuard, IdempotentCall } from './idempotency.js';
import { adapterForId, type TenantScope } from './tenant-scope.js';
import type { DisconnectTarget, VendorAdapter } from '../vendors/port.js';

/**
 * Mutation use cases. Each validates everything it can before calling a
 * vendor, returns expected failures as userErrors (the mutation then changed
 * nothing), and lets unexpected failures (vendor down) propagate as GraphQL
 * errors. Malformed IDs are BAD_USER_INPUT errors, as for reads.
 */

/** What a mutation payload is built from; `organization` is loaded lazily from `organizationRef` when not given. */
export interface MutationResultModel {
  readonly connection: ConnectionModel | null;
  readonly organization: OrganizationModel | null;
  readonly organizationRef: { readonly vendor: Vendor; readonly organizationId: string } | null;
  readonly disconnectedActionCount: number;
  readonly dryRun: boolean;
  readonly userErrors: readonly UserErrorModel[];
}

export interface DisconnectIntegrationCommand {
  readonly connectionId?: string | null | undefined;
  readonly organizationId?: string | null | undefined;
  readonly provider?: string | null | undefined;
  readonly action?: string | null | undefined;
  readonly dryRun?: boolean | null | undefined;
}

export interface DeleteConnectionCommand {
  readonly connectionId: string;
  readonly deleteExternalAccount?: boolean | null | undefined;
  readonly confirmConnectionId?: string | null | undefined;
  readonly dryRun?: boolean | null | undefined;
}

export interface UpdateSharingCommand {
  readonly connectionId: string;
  readonly teamKeys: readonly string[];
}

const failed = (userErrors: readonly UserErrorModel[], dryRun = false): MutationResultModel => ({
  connection: null,
  organization: null,
  organizationRef: null,
  disconnectedActionCount: 0,
  dryRun,
  userErrors,
});

const toUserError = (e: UserFacingError): UserErrorModel => ({ code: e.code, message: e.message, field: e.field });

const unsupported = (vendor: Vendor, operation: string, field: string): UserErrorModel => ({
  code: 'UNSUPPORTED_OPERATION',
  message: `${vendor} connections do not support ${operation}`,
  field: ['input', field],
});

/**
 * Private: expected vendor answers become userErrors (nothing changed);
 * everything else stays an error. A vendor's rejection of our request is
 * expected input trouble; its being down is not.
 */
async function asUserErrors(run: () => Promise<MutationResultModel>, dryRun: boolean): Promise<MutationResultModel> {
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

/** Private: resolves the target of a disconnect, by connection or by organization + provider. */
async function disconnectTarget(
  scope: TenantScope,
  input: DisconnectIntegrationCommand,
): Promise<{ adapter: VendorAdapter; target: DisconnectTarget } | { userErrors: UserErrorModel[] }> {
  const byConnection = input.connectionId != null;
  const byProvider = input.organizationId != null || input.provider != null;
  if (byConnection === byProvider || (byProvider && (input.organizationId == null || input.provider == null))) {
    return {
      userErrors: [
        {
          code: 'INVALID_INPUT',
          message: 'Name the integration either by connectionId, or by organizationId together with provider',
          field: ['input'],
        },
      ],
    };
  }
  const action = input.action ?? undefined;
  if (byConnection) {
    const connection = await getConnection(scope, input.connectionId!, 'input.connectionId');
    const adapter = scope.adapters.get(connection.vendor)!;
    return {
      adapter,
      target: { organizationId: connection.organizationId, provider: connection.provider.slug, action },
    };
  }
  const gid = decodeGlobalIdOf('Organization', input.organizationId!, 'input.organizationId');
  const adapter = adapterForId(scope, gid, input.organizationId!);
  return { adapter, target: { organizationId: gid.organizationId, provider: input.provider!, action } };
}

export async function disconnectIntegration(
  scope: TenantScope,
  input: DisconnectIntegrationCommand,
): Promise<MutationResultModel> {
  const dryRun = input.dryRun ?? false;
  // IDs are checked outside asUserErrors: a malformed ID is BAD_USER_INPUT, as in reads.
  if (input.connectionId != null) decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId');
  if (input.organizationId != null) decodeGlobalIdOf('Organization', input.organizationId, 'input.organizationId');
  return asUserErrors(async () => {
    const resolved = await disconnectTarget(scope, input);
    if ('userErrors' in resolved) return failed(resolved.userErrors, dryRun);
    const { adapter, target } = resolved;
    const operation = adapter.disconnectIntegration;
    if (!operation) return failed([unsupported(adapter.vendor, 'disconnectIntegration', 'provider')], dryRun);
    const problems = operation.check(target);
    if (problems.length > 0) return failed(problems.map(toUserError), dryRun);
    const organizationRef = { vendor: adapter.vendor, organizationId: target.organizationId };
    if (dryRun) {
      const connection = await operation.preview(target);
      if (!connection)
        throw new UserFacingError('NOT_CONNECTED', `${target.provider} is not connected`, ['input', 'provider']);
      return { connection, organization: null, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
    }
    const outcome = await operation.execute(target);
    return { ...outcome, organization: null, organizationRef, dryRun, userErrors: [] };
  }, dryRun);
}

export async function deleteConnection(
  scope: TenantScope,
  input: DeleteConnectionCommand,
): Promise<MutationResultModel> {
  const dryRun = input.dryRun ?? false;
  const deleteExternalAccount = input.deleteExternalAccount ?? false;
  const gid = decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId');
  if (input.confirmConnectionId != null)
    decodeGlobalIdOf('Connection', input.confirmConnectionId, 'input.confirmConnectionId');
  return asUserErrors(async () => {
    // Inside asUserErrors: another tenant's connection is a NOT_FOUND userError, exactly like a missing one.
    const adapter = adapterForId(scope, gid, input.connectionId);
    const keyProblem = adapter.checkConnectionKey(gid.keys[0]!);
    if (keyProblem)
      throw new BadUserInputError(`Argument "input.connectionId" is not a valid connection ID: ${keyProblem}`);
    const operation = adapter.deleteConnection;
    if (!operation) return failed([unsupported(adapter.vendor, 'deleteConnection', 'connectionId')], dryRun);
    const problems = operation.check({ deleteExternalAccount });
    if (problems.length > 0) return failed(problems.map(toUserError), dryRun);
    if (deleteExternalAccount && input.confirmConnectionId !== input.connectionId) {
      return failed(
        [
          {
            code: 'CONFIRMATION_REQUIRED',
            message:
              'deleteExternalAccount irreversibly deletes the external account: repeat the connection ID in confirmConnectionId',
            field: ['input', 'confirmConnectionId'],
          },
        ],
        dryRun,
      );
    }
    const connection = await getConnection(scope, input.connectionId, 'input.connectionId');
    const organizationRef = { vendor: connection.vendor, organizationId: connection.organizationId };
    if (dryRun)
      return { connection, organization: null, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
    const outcome = await operation.execute(connection, { deleteExternalAccount });
    return { ...outcome, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
  }, dryRun);
}

export async function updateSharing(scope: TenantScope, input: UpdateSharingCommand): Promise<MutationResultModel> {
  const gid = decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId');
  return asUserErrors(async () => {
    const adapter = adapterForId(scope, gid, input.connectionId);
    const operation = adapter.updateSharing;
    if (!operation) return failed([unsupported(adapter.vendor, 'updateSharing', 'connectionId')]);
    const problems = operation.check(input.teamKeys);
    if (problems.length > 0) return failed(problems.map(toUserError));
    const connection = await getConnection(scope, input.connectionId, 'input.connectionId');
    const updated = await operation.execute(connection, input.teamKeys);
    return {
      connection: updated,
      organization: null,
      organizationRef: { vendor: updated.vendor, organizationId: updated.organizationId },
      disconnectedActionCount: 0,
      dryRun: false,
      userErrors: [],
    };
  }, false);
}

/**
 * Runs a mutation through the request's idempotency guard: a keyed retry gets
 * the first result back, and a key already used with another input is the
 * userError IDEMPOTENCY_KEY_REUSED (nothing is called).
 */
export async function withIdempotency(
  guard: IdempotencyGuard,
  call: IdempotentCall,
  run: () => Promise<MutationResultModel>,
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
