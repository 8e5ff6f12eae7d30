import { loadConnection, routeConnection } from './connection-route.js';
import { GatewayErrorCode, NotFoundError, UpstreamError, UserFacingError } from './errors.js';
import { decodeGlobalIdOf, sameNode, type GlobalId } from './global-id.js';
import { textInputViolations } from './input-policy.js';
import type { ActionModel, ConnectionModel, OrganizationModel, UserErrorModel, Vendor } from './models.js';
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
  /** A dry run's list of what a disconnect would remove (none when absent). */
  readonly affectedConnections?: readonly ConnectionModel[];
  readonly affectedActions?: readonly ActionModel[];
  readonly userErrors: readonly UserErrorModel[];
}

interface DisconnectIntegrationCommand {
  readonly connectionId?: string | null | undefined;
  readonly organizationId?: string | null | undefined;
  readonly provider?: string | null | undefined;
  readonly action?: string | null | undefined;
  readonly confirmProvider?: string | null | undefined;
  readonly dryRun?: boolean | null | undefined;
}

interface DeleteConnectionCommand {
  readonly connectionId: string;
  readonly deleteExternalAccount?: boolean | null | undefined;
  readonly confirmConnectionId?: string | null | undefined;
  readonly dryRun?: boolean | null | undefined;
}

interface UpdateSharingCommand {
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

/** Private: free text that breaks the input policy (input-policy.ts), as INVALID_INPUT userErrors. */
const policyErrors = (...fields: Parameters<typeof textInputViolations>[0]): UserErrorModel[] =>
  textInputViolations(fields).map(({ field, message }) => ({ code: 'INVALID_INPUT', message, field }));

/**
 * Private: the vendor no longer has the connection the caller named by ID
 * (deleted there after Junction cached it): the same NOT_FOUND as for an ID
 * that was never there, whichever vendor and whatever the cache held.
 */
async function goneIsNotFound<T>(id: string, run: () => Promise<T>): Promise<T> {
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

/** Private: the IDs a disconnect names, decoded once; null where not given. */
interface DisconnectIds {
  readonly connection: GlobalId | null;
  readonly organization: GlobalId | null;
}

/** Private: resolves the target of a disconnect, by connection or by organization + provider. */
async function disconnectTarget(
  scope: TenantScope,
  input: DisconnectIntegrationCommand,
  ids: DisconnectIds,
): Promise<{ adapter: VendorAdapter; target: DisconnectTarget } | { userErrors: UserErrorModel[] }> {
  const byProvider = ids.organization != null || input.provider != null;
  if ((ids.connection != null) === byProvider || (byProvider && (ids.organization == null || input.provider == null))) {
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
  const request = { action, confirmProvider: input.confirmProvider ?? undefined, dryRun: input.dryRun ?? false };
  if (ids.connection) {
    const route = routeConnection(scope, ids.connection, input.connectionId!, 'input.connectionId');
    const connection = await loadConnection(route);
    return {
      adapter: route.adapter,
      target: { organizationId: connection.organizationId, provider: connection.provider.slug, ...request },
    };
  }
  const organization = ids.organization!;
  const adapter = adapterForId(scope, organization, input.organizationId!);
  return { adapter, target: { organizationId: organization.organizationId, provider: input.provider!, ...request } };
}

export async function disconnectIntegration(
  scope: TenantScope,
  input: DisconnectIntegrationCommand,
): Promise<MutationResultModel> {
  const dryRun = input.dryRun ?? false;
  // IDs are decoded outside asUserErrors: a malformed ID is BAD_USER_INPUT, as in reads.
  const ids: DisconnectIds = {
    connection:
      input.connectionId != null ? decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId') : null,
    organization:
      input.organizationId != null
        ? decodeGlobalIdOf('Organization', input.organizationId, 'input.organizationId')
        : null,
  };
  const invalid = policyErrors(
    [['input', 'provider'], input.provider],
    [['input', 'action'], input.action],
    [['input', 'confirmProvider'], input.confirmProvider],
  );
  if (invalid.length > 0) return failed(invalid, dryRun);
  return asUserErrors(async () => {
    const resolved = await disconnectTarget(scope, input, ids);
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
      const plan = operation.plan ? await operation.plan(target) : { connections: [connection], actions: [] };
      return {
        connection,
        organization: null,
        organizationRef,
        disconnectedActionCount: 0,
        dryRun,
        affectedConnections: plan.connections,
        affectedActions: plan.actions,
        userErrors: [],
      };
    }
    // Named by ID, the whole integration: a vendor that no longer has it answers like a missing ID.
    const byId = ids.connection && input.action == null ? input.connectionId! : null;
    const outcome = byId
      ? await goneIsNotFound(byId, () => operation.execute(target))
      : await operation.execute(target);
    return { ...outcome, organization: null, organizationRef, dryRun, userErrors: [] };
  }, dryRun);
}

export async function deleteConnection(
  scope: TenantScope,
  input: DeleteConnectionCommand,
): Promise<MutationResultModel> {
  const dryRun = input.dryRun ?? false;
  const gid = decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId');
  const confirmation =
    input.confirmConnectionId != null
      ? decodeGlobalIdOf('Connection', input.confirmConnectionId, 'input.confirmConnectionId')
      : null;
  const request = {
    deleteExternalAccount: input.deleteExternalAccount ?? false,
    // Either ID form confirms: a client may hold the connection's ID from before IDs became compact.
    confirmed: confirmation !== null && sameNode(confirmation, gid),
  };
  return asUserErrors(async () => {
    // Inside asUserErrors: another tenant's connection is a NOT_FOUND userError, exactly like a missing one.
    const route = routeConnection(scope, gid, input.connectionId, 'input.connectionId');
    const operation = route.adapter.deleteConnection;
    if (!operation) return failed([unsupported(route.adapter.vendor, 'deleteConnection', 'connectionId')], dryRun);
    const problems = operation.check(request);
    if (problems.length > 0) return failed(problems.map(toUserError), dryRun);
    const connection = await loadConnection(route);
    const organizationRef = { vendor: connection.vendor, organizationId: connection.organizationId };
    if (dryRun)
      return { connection, organization: null, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
    const outcome = await goneIsNotFound(route.id, () => operation.execute(connection, request));
    return { ...outcome, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
  }, dryRun);
}

export async function updateSharing(scope: TenantScope, input: UpdateSharingCommand): Promise<MutationResultModel> {
  const gid = decodeGlobalIdOf('Connection', input.connectionId, 'input.connectionId');
  const invalid = policyErrors(...input.teamKeys.map((key, i) => [['input', 'teamKeys', String(i)], key] as const));
  if (invalid.length > 0) return failed(invalid);
  return asUserErrors(async () => {
    const route = routeConnection(scope, gid, input.connectionId, 'input.connectionId');
    const operation = route.adapter.updateSharing;
    if (!operation) return failed([unsupported(route.adapter.vendor, 'updateSharing', 'connectionId')]);
    const problems = operation.check(input.teamKeys);
    if (problems.length > 0) return failed(problems.map(toUserError));
    const connection = await loadConnection(route);
    const updated = await goneIsNotFound(route.id, () => operation.execute(connection, input.teamKeys));
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
