import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { auditedMutation } from '../domain/audit.js';
import * as mutations from '../domain/mutations.js';
import type { MutationRecord } from '../request/request-state.js';
import type { GatewayContext } from './context.js';

type MutationInput = {
  readonly idempotencyKey?: string | null;
  readonly dryRun?: boolean | null;
  readonly connectionId?: string | null;
  readonly organizationId?: string | null;
  readonly provider?: string | null;
} & Record<string, unknown>;

/** Longest ID or name kept on a log line: a client's garbage is cut, a real global ID never is. */
const MAX_LOGGED = 200;
const clip = (value: string) => (value.length > MAX_LOGGED ? `${value.slice(0, MAX_LOGGED)}…` : value);

/**
 * Every mutation goes through the request's idempotency guard (argument `idempotencyKey` or `Idempotency-Key`
 * header), and leaves a record: a log line and an entry in the request's state (for the audit trail).
 */
async function idempotent(
  context: GatewayContext,
  info: GraphQLResolveInfo,
  input: MutationInput,
  run: (previous?: mutations.AfterUnknownOutcome) => Promise<mutations.MutationResultModel>,
): Promise<mutations.MutationResultModel> {
  const idempotencyKey = input.idempotencyKey ?? context.request.idempotencyKey;
  const what = {
    operation: info.fieldName,
    dryRun: input.dryRun === true,
    targetIds: [input.connectionId, input.organizationId].filter((id): id is string => Boolean(id)).map(clip),
    ...(input.provider && { provider: clip(input.provider) }),
    ...(idempotencyKey && { idempotencyKey: clip(idempotencyKey) }),
  };
  try {
    const call = {
      operation: info.fieldName,
      responseKey: String(info.path.key),
      argumentKey: input.idempotencyKey,
      input,
    };
    // The audit entry (src/domain/audit.ts) keeps the outcome: APPLIED, NOT_APPLIED or UNKNOWN.
    const audited = { ...what, idempotencyKey: input.idempotencyKey };
    const result = await auditedMutation(context.audit, audited, () =>
      mutations.withIdempotency(context.idempotency, call, run),
    );
    const codes = result.userErrors.map((e) => e.code);
    record(context, { ...what, outcome: codes.length > 0 ? 'rejected' : 'ok', codes });
    return result;
  } catch (error) {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    record(context, { ...what, outcome: 'error', codes: [typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR'] });
    throw error;
  }
}

function record(context: GatewayContext, entry: MutationRecord): void {
  context.request.mutations.push(entry);
  // The logger carries the request id, tenant and actor (src/server/context.ts).
  context.logger.info({ mutation: entry }, entry.dryRun ? 'mutation dry run' : 'mutation');
}

export const Mutation: MutationResolvers = {
  disconnectIntegration: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.disconnectIntegration(context.tenant, input, previous)),
  deleteConnection: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.deleteConnection(context.tenant, input, previous)),
  updateSharing: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.updateSharing(context.tenant, input, previous)),
  createWebhookEndpoint: (_root, { input }, { webhooks }) => webhooks.createEndpoint(input),
  deleteWebhookEndpoint: (_root, { id }, { webhooks }) => webhooks.deleteEndpoint(id),
  redeliverWebhookEvent: (_root, { eventId, endpointId }, { webhooks }) => webhooks.redeliver(eventId, endpointId),
};
