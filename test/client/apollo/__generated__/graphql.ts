/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Narrows a cross-vendor connection listing. */
export type ConnectionFilter = {
  /** Only connections to this provider, by slug; case-insensitive. */
  provider?: string | null | undefined;
  /** Only connections in one of these unified statuses. */
  status?: Array<ConnectionStatus> | null | undefined;
  /** Only connections held by these vendors. */
  vendor?: Array<Vendor> | null | undefined;
};

/**
 * Connection status unified across vendors. Mapping:
 * Leen `PENDING`/`ACTIVE`/`PAUSED`/`DELETED` → PENDING/ACTIVE/PAUSED/DISCONNECTED;
 * UserHub connection `PENDING_SETUP`/`ACTIVE`/`BROKEN`/`DISABLED`/`ARCHIVED` → PENDING/ACTIVE/ERROR/PAUSED/DISCONNECTED;
 * Outlit `connected`/`not_connected` → ACTIVE/DISCONNECTED (ERROR when its last sync failed);
 * Supervity: a listed connected account is ACTIVE;
 * ProjectManager: an activated provider with an authenticated integration is ACTIVE, an activated one without is PENDING;
 * a vendor value Junction does not know yet → UNKNOWN (`vendorStatus` keeps it).
 */
export type ConnectionStatus =
  /** Connected and working. */
  | 'ACTIVE'
  /** No longer connected: deleted, archived or never connected. */
  | 'DISCONNECTED'
  /** Connected but failing (broken credentials, failed syncs). */
  | 'ERROR'
  /** Connected but deliberately paused or disabled. */
  | 'PAUSED'
  /** Created but not yet usable (set-up or authorization not finished). */
  | 'PENDING'
  /** The vendor reported a state Junction does not know yet (vendors add states without notice); `vendorStatus` holds the vendor's value. */
  | 'UNKNOWN';

/** Names the connection to delete. */
export type DeleteConnectionInput = {
  /** Must repeat `connectionId` when `deleteExternalAccount` is true, as a guard against irreversible mistakes. */
  confirmConnectionId?: string | number | null | undefined;
  /** Global ID of the connection. */
  connectionId: string | number;
  /** UserHub only: also try to delete the external account (for example the Stripe customer). Irreversible; requires `confirmConnectionId`. */
  deleteExternalAccount?: boolean | null | undefined;
  /** When true, validate and resolve the target and report what would be deleted, without deleting anything. */
  dryRun?: boolean | null | undefined;
  /** Makes retries safe: a repeat with the same key and input returns the first result without calling the vendor again. */
  idempotencyKey?: string | null | undefined;
};

/**
 * Names the integration to disconnect: either `connectionId`, or `organizationId`
 * together with `provider`.
 */
export type DisconnectIntegrationInput = {
  /** Supervity only: the action to disconnect; all of the integration's actions when omitted. */
  action?: string | null | undefined;
  /** Supervity, when `action` is omitted (every action of the integration, for every account of it in the organization): must repeat the integration slug, or the answer is `CONFIRMATION_REQUIRED` and nothing is called. Not needed on a dry run, which lists what would be removed. */
  confirmProvider?: string | null | undefined;
  /** Global ID of the connection to disconnect. */
  connectionId?: string | number | null | undefined;
  /** When true, validate and resolve the target and report what would be disconnected, without disconnecting anything. */
  dryRun?: boolean | null | undefined;
  /** Makes retries safe: a repeat with the same key and input returns the first result without calling the vendor again. */
  idempotencyKey?: string | null | undefined;
  /** Global ID of the organization, when naming the integration by provider instead of by connection. */
  organizationId?: string | number | null | undefined;
  /** Provider to disconnect, with `organizationId`: an Outlit provider id (`stripe`), a Supervity integration slug (`google-workspace`) or a ProjectManager provider UUID. */
  provider?: string | null | undefined;
};

/** Where a read's connections come from (see README, Pages and freshness). */
export type Freshness =
  /** The connection index, kept fresh by the background sync; an organization not indexed yet is read and indexed on the way. Each connection's `syncedAt` says how fresh. */
  | 'INDEX'
  /** Each organization on the page read from its vendor now (the index is updated with what was read). */
  | 'LIVE';

/** Names the connected account and the teams to share it with. */
export type UpdateSharingInput = {
  /** Global ID of the (Supervity) connection. */
  connectionId: string | number;
  /** Makes retries safe: a repeat with the same key and input returns the first result without calling the vendor again. */
  idempotencyKey?: string | null | undefined;
  /** The complete new list of team keys; `[]` revokes all sharing. */
  teamKeys: Array<string>;
};

/**
 * Machine-readable code of an expected failure, returned in a mutation payload's
 * `userErrors` so that automation can branch on codes rather than on messages.
 */
export type UserErrorCode =
  /** A destructive option needs an explicit confirmation argument that repeats the target's ID. */
  | 'CONFIRMATION_REQUIRED'
  /** The idempotency key was already used with a different input. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The input failed validation (format, missing field, value out of range). */
  | 'INVALID_INPUT'
  /** The integration is not connected, so there is nothing to disconnect. */
  | 'NOT_CONNECTED'
  /** The target organization, connection or provider does not exist or is not visible to the caller. */
  | 'NOT_FOUND'
  /** The target's vendor does not offer this operation (for example `updateSharing` on a Leen connection). */
  | 'UNSUPPORTED_OPERATION'
  /** The vendor rejected the request as invalid; `message` carries the vendor's explanation. */
  | 'VENDOR_REJECTED';

/** The five integration-management vendors Junction federates. */
export type Vendor =
  /** Leen Security provisioning API: security-tool connections (Tenable, CrowdStrike…) of an organization, in the US, EU or APAC region. */
  | 'LEEN'
  /** Outlit Platform API: one organization per API key; providers such as `stripe` or `hubspot`. */
  | 'OUTLIT'
  /** ProjectManager.com Integration Provider API: providers such as Slack a user has connected. */
  | 'PROJECTMANAGER'
  /** Supervity, the workflow-automation platform (`workflows.yaml`): connected OAuth2 accounts and their actions. */
  | 'SUPERVITY'
  /** UserHub Admin API: organizations and their external account connections (Stripe customers and the like). */
  | 'USERHUB';

export type DisconnectIntegrationMutationVariables = Exact<{
  input: DisconnectIntegrationInput;
}>;


export type DisconnectIntegrationMutation = { __typename: 'Mutation', disconnectIntegration: { __typename: 'DisconnectIntegrationPayload', dryRun: boolean, disconnectedActionCount: number, connection: { __typename: 'Connection', id: string, status: ConnectionStatus } | null, organization: { __typename: 'Organization', id: string } | null, userErrors: Array<{ __typename: 'UserError', code: UserErrorCode, field: Array<string>, message: string }> } };

export type DeleteConnectionMutationVariables = Exact<{
  input: DeleteConnectionInput;
}>;


export type DeleteConnectionMutation = { __typename: 'Mutation', deleteConnection: { __typename: 'DeleteConnectionPayload', dryRun: boolean, connection: { __typename: 'Connection', id: string, externalId: string, status: ConnectionStatus, vendorStatus: string } | null, organization: { __typename: 'Organization', id: string, displayName: string | null } | null, userErrors: Array<{ __typename: 'UserError', code: UserErrorCode, field: Array<string>, message: string }> } };

export type UpdateSharingMutationVariables = Exact<{
  input: UpdateSharingInput;
}>;


export type UpdateSharingMutation = { __typename: 'Mutation', updateSharing: { __typename: 'UpdateSharingPayload', connection: { __typename: 'Connection', id: string, sharedTeamKeys: Array<string> | null } | null, userErrors: Array<{ __typename: 'UserError', code: UserErrorCode, field: Array<string>, message: string }> } };

export type DashboardQueryVariables = Exact<{
  status?: Array<ConnectionStatus> | ConnectionStatus | null | undefined;
}>;


export type DashboardQuery = { __typename: 'Query', organizations: Array<{ __typename: 'Organization', id: string, vendor: Vendor, displayName: string | null, connections: Array<{ __typename: 'Connection', id: string, status: ConnectionStatus, vendorStatus: string, accountIdentifier: string | null, updatedAt: string | null, health: { __typename: 'ConnectionHealth', name: string, status: string, description: string | null, resolutionOwner: string | null } | null, provider: { __typename: 'Provider', id: string, slug: string, displayName: string }, actions: Array<{ __typename: 'Action', id: string, name: string, displayName: string }> | null }> | null } | null> };

export type ConnectionsAcrossVendorsQueryVariables = Exact<{
  filter?: ConnectionFilter | null | undefined;
}>;


export type ConnectionsAcrossVendorsQuery = { __typename: 'Query', connections: { __typename: 'ConnectionList', totalCount: number, nodes: Array<{ __typename: 'Connection', id: string, vendor: Vendor, externalId: string, status: ConnectionStatus }>, vendorErrors: Array<{ __typename: 'VendorError', vendor: Vendor, organizationId: string, code: string, message: string }> } };

export type ConnectionsPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: ConnectionFilter | null | undefined;
  freshness?: Freshness | null | undefined;
}>;


export type ConnectionsPageQuery = { __typename: 'Query', connections: { __typename: 'ConnectionList', totalCount: number, edges: Array<{ __typename: 'ConnectionEdge', cursor: string, node: { __typename: 'Connection', id: string, vendor: Vendor, externalId: string, status: ConnectionStatus, syncedAt: string, reauthorizeUrl: string | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null }, vendorErrors: Array<{ __typename: 'VendorError', vendor: Vendor, code: string }> } };

export type OrganizationsPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OrganizationsPageQuery = { __typename: 'Query', organizationPage: { __typename: 'OrganizationPage', totalCount: number, nodes: Array<{ __typename: 'Organization', id: string, vendor: Vendor, displayName: string | null } | null>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };

export type NodeByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type NodeByIdQuery = { __typename: 'Query', node:
    | { __typename: 'Action', id: string }
    | { __typename: 'Connection', status: ConnectionStatus, id: string, provider: { __typename: 'Provider', id: string, displayName: string } }
    | { __typename: 'Organization', id: string }
    | { __typename: 'Provider', id: string }
   | null };


export const DisconnectIntegrationDocument = {"__meta__":{"hash":"sha256:eade52484e16bb5225d07dd26c6919b51ee8aa43faf2f633a413c69c35c32952"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DisconnectIntegration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DisconnectIntegrationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"disconnectIntegration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"dryRun"}},{"kind":"Field","name":{"kind":"Name","value":"disconnectedActionCount"}},{"kind":"Field","name":{"kind":"Name","value":"connection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DisconnectIntegrationMutation, DisconnectIntegrationMutationVariables>;
export const DeleteConnectionDocument = {"__meta__":{"hash":"sha256:58d2484c039e498b806e7a7c5c64c26ff87387c2d8c3dbd41501d3dd8259c977"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteConnection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteConnectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"deleteConnection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"dryRun"}},{"kind":"Field","name":{"kind":"Name","value":"connection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"vendorStatus"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteConnectionMutation, DeleteConnectionMutationVariables>;
export const UpdateSharingDocument = {"__meta__":{"hash":"sha256:ad01ef2d5e32a9f182e73bad4ce687fb54d0489c2e0265ae9381766a74ed138d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSharing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSharingInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"updateSharing"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"sharedTeamKeys"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateSharingMutation, UpdateSharingMutationVariables>;
export const DashboardDocument = {"__meta__":{"hash":"sha256:19d0cb0101765385f26e619189e58acfd15763034f432c38dd9a465b348a4f03"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Dashboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ConnectionStatus"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"organizations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"connections"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"vendorStatus"}},{"kind":"Field","name":{"kind":"Name","value":"accountIdentifier"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"resolutionOwner"}}]}},{"kind":"Field","name":{"kind":"Name","value":"provider"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"actions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DashboardQuery, DashboardQueryVariables>;
export const ConnectionsAcrossVendorsDocument = {"__meta__":{"hash":"sha256:7f793baa465c4d206954f6cf2aed8cd6e88f80699838148ea849210c3c08b7d4"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectionsAcrossVendors"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ConnectionFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connections"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"vendorErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"organizationId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ConnectionsAcrossVendorsQuery, ConnectionsAcrossVendorsQueryVariables>;
export const ConnectionsPageDocument = {"__meta__":{"hash":"sha256:77eba6062687c06ee4d09f29e4c34f8d6cc59c5f7782bfbe885825715f72bba7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectionsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ConnectionFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"freshness"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Freshness"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"connections"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"freshness"},"value":{"kind":"Variable","name":{"kind":"Name","value":"freshness"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"syncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reauthorizeUrl"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"vendorErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<ConnectionsPageQuery, ConnectionsPageQueryVariables>;
export const OrganizationsPageDocument = {"__meta__":{"hash":"sha256:ba674190faab3bd5c515102307964015ec45a43126f0b01088e8cabc3f38b49f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrganizationsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"organizationPage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<OrganizationsPageQuery, OrganizationsPageQueryVariables>;
export const NodeByIdDocument = {"__meta__":{"hash":"sha256:bdbae41cc7bb6a4f17ecc3f2ff0a35170854063356aa195b8e09958f750f7e1b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NodeById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Connection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"provider"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]}}]} as unknown as DocumentNode<NodeByIdQuery, NodeByIdQueryVariables>;