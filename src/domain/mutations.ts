import { loadConnection, routeConnection } from './connection-route.js';
import { NotFoundError, UserFacingError } from './errors.js';
import { decodeGlobalIdOf, sameNode, type GlobalId } from './global-id.js';
import {
  asUserErrors,
  failed,
  goneIsNotFound,
  policyErrors,
  toUserError,
  unsupported,
  type MutationResultModel,
} from './mutation-results.js';
import type { ConnectionModel, UserErrorModel } from './models.js';
import { isDisconnected, isRemoved, sameKeys, settledWrite, settlingRead } from './unknown-outcome.js';
import { adapterForId, type TenantScope } from './tenant-scope.js';
import type { DisconnectTarget, VendorAdapter } from '../vendors/port.js';

/**
 * Mutation use cases. Each validates everything it can before calling a
 * vendor, returns expected failures as userErrors (the mutation then changed
 * nothing), and lets unexpected failures (vendor down) propagate as GraphQL
 * errors. Malformed IDs are BAD_USER_INPUT errors, as for reads. A write whose
 * outcome is unknown is settled by a read (unknown-outcome.ts); `previous`
 * is given when a keyed retry follows such a write, which is settled first.
 */

export type { MutationResultModel };
export { withIdempotency } from './mutation-results.js';

/** A keyed retry of a write whose outcome was unknown: the answer it gives if a read shows it was applied. */
export interface AfterUnknownOutcome {
  readonly ifApplied: unknown;
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
  previous?: AfterUnknownOutcome,
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
    let resolved: Awaited<ReturnType<typeof disconnectTarget>>;
    try {
      resolved = await disconnectTarget(scope, input, ids);
    } catch (error) {
      // A retry after an unknown outcome: the connection it named is gone, so the disconnect was applied.
      if (previous && ids.connection && error instanceof NotFoundError)
        return previous.ifApplied as MutationResultModel;
      throw error;
    }
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
    if (previous && (await settlingRead(adapter.vendor, previous, () => isDisconnected(operation, target))))
      return previous.ifApplied as MutationResultModel;
    // What a settling read reports when the outcome was unknown: Supervity's count is the actions it would remove.
    const count = target.action === undefined && operation.plan ? (await operation.plan(target)).actions.length : 1;
    const applied: MutationResultModel = {
      connection: null,
      organization: null,
      organizationRef,
      disconnectedActionCount: count,
      dryRun,
      userErrors: [],
    };
    const run = () =>
      settledWrite<MutationResultModel>(
        async () => ({
          ...(await operation.execute(target)),
          organization: null,
          organizationRef,
          dryRun,
          userErrors: [],
        }),
        async () =>
          (await isDisconnected(operation, target)) ? { applied: true, result: applied } : { applied: false },
        () => applied,
      );
    // Named by ID, the whole integration: a vendor that no longer has it answers like a missing ID.
    const byId = ids.connection && input.action == null ? input.connectionId! : null;
    const result = byId ? await goneIsNotFound(byId, run) : await run();
    const key = ids.connection?.keys[0] ?? result.connection?.key ?? null;
    const change = { ...organizationRef, key, provider: target.provider, after: result.connection };
    await scope.index?.afterMutation('disconnectIntegration', change);
    return result;
  }, dryRun);
}

export async function deleteConnection(
  scope: TenantScope,
  input: DeleteConnectionCommand,
  previous?: AfterUnknownOutcome,
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
    if (previous) {
      // Settled first: a retry never sends the call again when the first one went through.
      if (await settlingRead(route.adapter.vendor, previous, () => isRemoved(route)))
        return previous.ifApplied as MutationResultModel;
      if (request.deleteExternalAccount)
        return failed([
          {
            code: 'CONFIRMATION_REQUIRED',
            message:
              'The earlier attempt under this idempotency key was not applied; deleteExternalAccount is irreversible, so it is not sent again under the same key: send it with a new idempotency key to confirm',
            field: ['input', 'idempotencyKey'],
          },
        ]);
    }
    const connection = await loadConnection(route);
    const organizationRef = { vendor: connection.vendor, organizationId: connection.organizationId };
    if (dryRun)
      return { connection, organization: null, organizationRef, disconnectedActionCount: 0, dryRun, userErrors: [] };
    const applied: MutationResultModel = {
      connection: { ...connection, status: 'DISCONNECTED' },
      organization: null,
      organizationRef,
      disconnectedActionCount: 0,
      dryRun,
      userErrors: [],
    };
    const result = await goneIsNotFound(route.id, () =>
      settledWrite<MutationResultModel>(
        async () => ({ ...applied, ...(await operation.execute(connection, request)) }),
        async () => ((await isRemoved(route)) ? { applied: true, result: applied } : { applied: false }),
        () => applied,
      ),
    );
    await scope.index?.afterMutation('deleteConnection', {
      ...organizationRef,
      key: route.key,
      after: result.connection,
    });
    return result;
  }, dryRun);
}

export async function updateSharing(
  scope: TenantScope,
  input: UpdateSharingCommand,
  previous?: AfterUnknownOutcome,
): Promise<MutationResultModel> {
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
    const shared = async () => {
      const current = await route.adapter.getConnection(route.organizationId, route.key);
      return current && sameKeys(current.sharedTeamKeys, input.teamKeys) ? current : null;
    };
    const settled = previous ? await settlingRead(route.adapter.vendor, previous, shared) : null;
    const updated =
      settled ??
      (await goneIsNotFound(route.id, () =>
        settledWrite<ConnectionModel>(
          () => operation.execute(connection, input.teamKeys),
          async () => {
            const current = await shared();
            return current ? { applied: true, result: current } : { applied: false };
          },
          () => sharingResult({ ...connection, sharedTeamKeys: input.teamKeys }),
        ),
      ));
    await scope.index?.afterMutation('updateSharing', {
      ...sharingResult(updated).organizationRef!,
      key: updated.key,
      after: updated,
    });
    return sharingResult(updated);
  }, false);
}

const sharingResult = (updated: ConnectionModel): MutationResultModel => ({
  connection: updated,
  organization: null,
  organizationRef: { vendor: updated.vendor, organizationId: updated.organizationId },
  disconnectedActionCount: 0,
  dryRun: false,
  userErrors: [],
});
