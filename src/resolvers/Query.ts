import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { pageOrganizations } from '../domain/organization-pages.js';
import * as reads from '../domain/reads.js';

export const Query: QueryResolvers = {
  node: (_root, { id }, { tenant }) => reads.getNode(tenant, id),
  organization: (_root, { id }, { tenant }) => reads.getOrganization(tenant, id),
  organizations: (_root, { ids }, { tenant }) => reads.getOrganizations(tenant, ids),
  connection: (_root, { id }, { tenant }) => reads.getConnection(tenant, id),
  connections: (_root, args, { tenant }) => reads.readConnections(tenant, args),
  organizationPage: (_root, args, { tenant }) => pageOrganizations(tenant, args),
  providers: (_root, { vendor }, { tenant }) => reads.listProviders(tenant, vendor),
  auditLog: (_root, args, { auditLog }) => auditLog(args),
  webhookEndpoints: (_root, _args, { webhooks }) => webhooks.listEndpoints(),
  webhookDeliveries: (_root, args, { webhooks }) => webhooks.listDeliveries(args),
};
