import type {
  ActionResolvers,
  ConnectionListResolvers,
  ConnectionResolvers,
  DeleteConnectionPayloadResolvers,
  DisconnectIntegrationPayloadResolvers,
  NodeResolvers,
  OrganizationPageResolvers,
  OrganizationResolvers,
  ProviderResolvers,
  WebhookDeliveryResolvers,
} from '../__generated__/resolvers-types.js';
import { liveEdges } from '../domain/connection-pages.js';
import { encodeGlobalId, organizationGlobalId } from '../domain/global-id.js';
import type { MutationResultModel } from '../domain/mutations.js';
import * as reads from '../domain/reads.js';
import type { GatewayContext } from './context.js';

/** Object types: one-line delegations to the domain; IDs are encoded here, from the models' native keys (a connection's comes with its model). */

export const Node: NodeResolvers = {
  __resolveType: (node) =>
    '__typename' in node
      ? (node as { __typename: 'Organization' | 'Connection' | 'Provider' | 'Action' }).__typename
      : null,
};

export const Organization: OrganizationResolvers = {
  id: (o) => organizationGlobalId(o.vendor, o.externalId),
  connections: (o, { filter }, { tenant }) => reads.listOrganizationConnections(tenant, o, filter),
};

export const Connection: ConnectionResolvers = {
  organization: (c, _args, { tenant }) => reads.getOrganizationOf(tenant, c.vendor, c.organizationId),
  syncedAt: (c, _args, { tenant }) => reads.syncedAtOf(tenant, c),
};

export const Provider: ProviderResolvers = {
  id: (p) =>
    encodeGlobalId({ typename: 'Provider', vendor: p.vendor, organizationId: p.scopeOrganizationId, keys: [p.slug] }),
  actions: (p, _args, { tenant }) => reads.listActions(tenant, p),
};

export const Action: ActionResolvers = {
  id: (a) =>
    encodeGlobalId({
      typename: 'Action',
      vendor: a.vendor,
      organizationId: a.provider.scopeOrganizationId,
      keys: [a.provider.slug, a.name],
    }),
};

export const ConnectionList: ConnectionListResolvers = {
  totalCount: (list) => (list.page ? list.page.countTotal() : list.nodes.length),
  edges: (list, _args, { tenant }) => list.page?.edges ?? liveEdges(tenant, list.nodes),
  pageInfo: (list, _args, { tenant }) =>
    list.page?.pageInfo ?? {
      hasNextPage: false,
      endCursor: liveEdges(tenant, list.nodes.slice(-1))[0]?.cursor ?? null,
    },
};

export const OrganizationPage: OrganizationPageResolvers = {
  nodes: (page) => page.edges.map((e) => e.node),
};

/** Payloads carry the organization when the vendor returned it, and load it by reference otherwise. */
const payloadOrganization = (result: MutationResultModel, _args: unknown, { tenant }: GatewayContext) =>
  result.organization ??
  (result.organizationRef
    ? reads.getOrganizationOf(tenant, result.organizationRef.vendor, result.organizationRef.organizationId)
    : null);

export const DisconnectIntegrationPayload: DisconnectIntegrationPayloadResolvers = {
  organization: payloadOrganization,
  affectedConnections: (result) => result.affectedConnections ?? [],
  affectedActions: (result) => result.affectedActions ?? [],
};
export const WebhookDelivery: WebhookDeliveryResolvers = {
  nextAttemptAt: (d) => (d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString()),
};

export const DeleteConnectionPayload: DeleteConnectionPayloadResolvers = { organization: payloadOrganization };
