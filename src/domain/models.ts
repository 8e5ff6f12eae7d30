import * as SchemaEnums from '../__generated__/schema-enums.js';

/**
 * Vendor-neutral domain types. Resolvers see only these; every vendor adapter
 * maps its own JSON into them (see src/vendors/<vendor>/to-model.ts). They are
 * also the codegen mappers, so a resolver's parent value is one of these.
 */

/** The schema's enums (`npm run codegen`): a vendor, a status or a code exists once, in schema/. */
export type Vendor = SchemaEnums.Vendor;
/** Every vendor (codegen sorts enum values by name). */
export const VENDORS: readonly Vendor[] = Object.values(SchemaEnums.Vendor);
export type ConnectionStatus = SchemaEnums.ConnectionStatus;
export type UserErrorCode = SchemaEnums.UserErrorCode;

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
  /**
   * The connection's global ID (global-id.ts `connectionGlobalId` of vendor, organizationId and key), made with the
   * model: a property GraphQL reads, where a resolver made it again on every request at a resolver call's cost.
   */
  readonly id: string;
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
  /**
   * The actions available through the connection, read with it (Supervity's from the same /me body; NO_ACTIONS
   * for every other vendor): a property GraphQL reads, where a resolver per connection cost a dashboard 400 calls.
   */
  readonly actions: readonly ActionModel[];
  /** Where the connection's owner re-authorizes it (Leen's `oauth2_authorize_url`); null where the vendor gives none. */
  readonly reauthorizeUrl: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /**
   * ISO 8601: when this was read from the vendor, set where the reader knows it
   * (the index entry's syncedAt). Absent on a live read: its time is the
   * request's read of the vendor (ReadLedger.readAt), not stamped on each model.
   */
  readonly syncedAt?: string;
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

export interface UserErrorModel {
  readonly field: readonly string[];
  readonly message: string;
  readonly code: UserErrorCode;
}

/** Frozen, so the one list every connection of a vendor without actions shares cannot be changed through one of them. */
export const NO_ACTIONS: readonly ActionModel[] = Object.freeze([]);
