/**
 * Vendor-neutral domain types. Resolvers see only these; every vendor adapter
 * maps its own JSON into them (see src/vendors/<vendor>/to-model.ts). They are
 * also the codegen mappers, so a resolver's parent value is one of these.
 */

export const VENDORS = ['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER'] as const;
export type Vendor = (typeof VENDORS)[number];

export const CONNECTION_STATUSES = ['ACTIVE', 'PENDING', 'PAUSED', 'ERROR', 'DISCONNECTED', 'UNKNOWN'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface OrganizationModel {
  readonly vendor: Vendor;
  /** The vendor's identifier; also the organization part of every global ID below it. */
  readonly externalId: string;
  readonly displayName: string | null;
  readonly state: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface ProviderModel {
  readonly vendor: Vendor;
  readonly slug: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly category: string | null;
  /**
   * Organization whose credentials reach this provider's details (actions).
   * Providers are global per vendor, but vendors only answer with an
   * organization's credentials. Not exposed in the schema.
   */
  readonly scopeOrganizationId: string;
}

export interface ConnectionHealthModel {
  readonly name: string;
  readonly status: string;
  readonly description: string | null;
  readonly resolutionOwner: string | null;
  readonly details: readonly { readonly dataExportType: string | null; readonly endpoint: string }[];
}

export interface ConnectionModel {
  readonly vendor: Vendor;
  readonly organizationId: string;
  /**
   * The adapter's routing key for this connection: what its global ID carries and
   * what the adapter needs to find it again (Leen: the connection UUID; Outlit:
   * the provider id). Often, but not always, equal to `externalId`.
   */
  readonly key: string;
  readonly externalId: string;
  readonly provider: ProviderModel;
  readonly status: ConnectionStatus;
  readonly vendorStatus: string;
  readonly health: ConnectionHealthModel | null;
  readonly accountIdentifier: string | null;
  readonly sharedTeamKeys: readonly string[] | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface ActionModel {
  readonly vendor: Vendor;
  readonly name: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly documentationUrls: readonly string[];
  readonly notes: string | null;
  readonly provider: ProviderModel;
}

/** Codes of expected mutation failures; mirrors `enum UserErrorCode` in schema/common.graphql. */
export type UserErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'NOT_CONNECTED'
  | 'UNSUPPORTED_OPERATION'
  | 'VENDOR_REJECTED'
  | 'CONFIRMATION_REQUIRED'
  | 'IDEMPOTENCY_KEY_REUSED';

export interface UserErrorModel {
  readonly field: readonly string[];
  readonly message: string;
  readonly code: UserErrorCode;
}
