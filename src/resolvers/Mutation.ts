import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import * as mutations from '../domain/mutations.js';

export const Mutation: MutationResolvers = {
  disconnectIntegration: (_root, { input }, { tenant }) => mutations.disconnectIntegration(tenant, input),
  deleteConnection: (_root, { input }, { tenant }) => mutations.deleteConnection(tenant, input),
  updateSharing: (_root, { input }, { tenant }) => mutations.updateSharing(tenant, input),
};
