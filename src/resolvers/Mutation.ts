import type { GraphQLResolveInfo } from 'graphql';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import * as mutations from '../domain/mutations.js';
import type { GatewayContext } from './context.js';

/** Every mutation goes through the request's idempotency guard (argument `idempotencyKey` or `Idempotency-Key` header). */
const idempotent = (
  { idempotency }: GatewayContext,
  info: GraphQLResolveInfo,
  input: { readonly idempotencyKey?: string | null } & Record<string, unknown>,
  run: (previous?: mutations.AfterUnknownOutcome) => Promise<mutations.MutationResultModel>,
) =>
  mutations.withIdempotency(
    idempotency,
    { operation: info.fieldName, responseKey: String(info.path.key), argumentKey: input.idempotencyKey, input },
    run,
  );

export const Mutation: MutationResolvers = {
  disconnectIntegration: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.disconnectIntegration(context.tenant, input, previous)),
  deleteConnection: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.deleteConnection(context.tenant, input, previous)),
  updateSharing: (_root, { input }, context, info) =>
    idempotent(context, info, input, (previous) => mutations.updateSharing(context.tenant, input, previous)),
};
