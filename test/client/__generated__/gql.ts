/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation DisconnectIntegration($input: DisconnectIntegrationInput!) {\n  disconnectIntegration(input: $input) {\n    dryRun\n    disconnectedActionCount\n    connection {\n      id\n      status\n    }\n    organization {\n      id\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation DeleteConnection($input: DeleteConnectionInput!) {\n  deleteConnection(input: $input) {\n    dryRun\n    connection {\n      id\n      externalId\n      status\n      vendorStatus\n    }\n    organization {\n      id\n      displayName\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation UpdateSharing($input: UpdateSharingInput!) {\n  updateSharing(input: $input) {\n    connection {\n      id\n      sharedTeamKeys\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}": typeof types.DisconnectIntegrationDocument,
    "query Dashboard($status: [ConnectionStatus!]) {\n  organizations {\n    id\n    vendor\n    displayName\n    connections(filter: {status: $status}) {\n      id\n      status\n      vendorStatus\n      accountIdentifier\n      updatedAt\n      health {\n        name\n        status\n        description\n        resolutionOwner\n      }\n      provider {\n        id\n        slug\n        displayName\n      }\n      actions {\n        id\n        name\n        displayName\n      }\n    }\n  }\n}\n\nquery ConnectionsAcrossVendors($filter: ConnectionFilter) {\n  connections(filter: $filter) {\n    totalCount\n    nodes {\n      id\n      vendor\n      externalId\n      status\n    }\n    vendorErrors {\n      vendor\n      organizationId\n      code\n      message\n    }\n  }\n}": typeof types.DashboardDocument,
    "query NodeById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Connection {\n      status\n      provider {\n        id\n        displayName\n      }\n    }\n  }\n}": typeof types.NodeByIdDocument,
};
const documents: Documents = {
    "mutation DisconnectIntegration($input: DisconnectIntegrationInput!) {\n  disconnectIntegration(input: $input) {\n    dryRun\n    disconnectedActionCount\n    connection {\n      id\n      status\n    }\n    organization {\n      id\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation DeleteConnection($input: DeleteConnectionInput!) {\n  deleteConnection(input: $input) {\n    dryRun\n    connection {\n      id\n      externalId\n      status\n      vendorStatus\n    }\n    organization {\n      id\n      displayName\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation UpdateSharing($input: UpdateSharingInput!) {\n  updateSharing(input: $input) {\n    connection {\n      id\n      sharedTeamKeys\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}": types.DisconnectIntegrationDocument,
    "query Dashboard($status: [ConnectionStatus!]) {\n  organizations {\n    id\n    vendor\n    displayName\n    connections(filter: {status: $status}) {\n      id\n      status\n      vendorStatus\n      accountIdentifier\n      updatedAt\n      health {\n        name\n        status\n        description\n        resolutionOwner\n      }\n      provider {\n        id\n        slug\n        displayName\n      }\n      actions {\n        id\n        name\n        displayName\n      }\n    }\n  }\n}\n\nquery ConnectionsAcrossVendors($filter: ConnectionFilter) {\n  connections(filter: $filter) {\n    totalCount\n    nodes {\n      id\n      vendor\n      externalId\n      status\n    }\n    vendorErrors {\n      vendor\n      organizationId\n      code\n      message\n    }\n  }\n}": types.DashboardDocument,
    "query NodeById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Connection {\n      status\n      provider {\n        id\n        displayName\n      }\n    }\n  }\n}": types.NodeByIdDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DisconnectIntegration($input: DisconnectIntegrationInput!) {\n  disconnectIntegration(input: $input) {\n    dryRun\n    disconnectedActionCount\n    connection {\n      id\n      status\n    }\n    organization {\n      id\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation DeleteConnection($input: DeleteConnectionInput!) {\n  deleteConnection(input: $input) {\n    dryRun\n    connection {\n      id\n      externalId\n      status\n      vendorStatus\n    }\n    organization {\n      id\n      displayName\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation UpdateSharing($input: UpdateSharingInput!) {\n  updateSharing(input: $input) {\n    connection {\n      id\n      sharedTeamKeys\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}"): (typeof documents)["mutation DisconnectIntegration($input: DisconnectIntegrationInput!) {\n  disconnectIntegration(input: $input) {\n    dryRun\n    disconnectedActionCount\n    connection {\n      id\n      status\n    }\n    organization {\n      id\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation DeleteConnection($input: DeleteConnectionInput!) {\n  deleteConnection(input: $input) {\n    dryRun\n    connection {\n      id\n      externalId\n      status\n      vendorStatus\n    }\n    organization {\n      id\n      displayName\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation UpdateSharing($input: UpdateSharingInput!) {\n  updateSharing(input: $input) {\n    connection {\n      id\n      sharedTeamKeys\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard($status: [ConnectionStatus!]) {\n  organizations {\n    id\n    vendor\n    displayName\n    connections(filter: {status: $status}) {\n      id\n      status\n      vendorStatus\n      accountIdentifier\n      updatedAt\n      health {\n        name\n        status\n        description\n        resolutionOwner\n      }\n      provider {\n        id\n        slug\n        displayName\n      }\n      actions {\n        id\n        name\n        displayName\n      }\n    }\n  }\n}\n\nquery ConnectionsAcrossVendors($filter: ConnectionFilter) {\n  connections(filter: $filter) {\n    totalCount\n    nodes {\n      id\n      vendor\n      externalId\n      status\n    }\n    vendorErrors {\n      vendor\n      organizationId\n      code\n      message\n    }\n  }\n}"): (typeof documents)["query Dashboard($status: [ConnectionStatus!]) {\n  organizations {\n    id\n    vendor\n    displayName\n    connections(filter: {status: $status}) {\n      id\n      status\n      vendorStatus\n      accountIdentifier\n      updatedAt\n      health {\n        name\n        status\n        description\n        resolutionOwner\n      }\n      provider {\n        id\n        slug\n        displayName\n      }\n      actions {\n        id\n        name\n        displayName\n      }\n    }\n  }\n}\n\nquery ConnectionsAcrossVendors($filter: ConnectionFilter) {\n  connections(filter: $filter) {\n    totalCount\n    nodes {\n      id\n      vendor\n      externalId\n      status\n    }\n    vendorErrors {\n      vendor\n      organizationId\n      code\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query NodeById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Connection {\n      status\n      provider {\n        id\n        displayName\n      }\n    }\n  }\n}"): (typeof documents)["query NodeById($id: ID!) {\n  node(id: $id) {\n    id\n    ... on Connection {\n      status\n      provider {\n        id\n        displayName\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;