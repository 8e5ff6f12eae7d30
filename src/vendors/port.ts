import type { Secret } from '../config/secret.js';
import type { UserFacingError } from '../domain/errors.js';
import type { ActionModel, ConnectionModel, OrganizationModel, ProviderModel, Vendor } from '../domain/models.js';

/**
 * The port between the domain and the vendors. The domain sees only
 * VendorAdapter and domain models; each vendor folder implements it with its
 * own wire schemas (zod) and mapping. An adapter talks HTTP only through a
 * VendorTransport (src/loaders/vendor-transport.ts), whose failures it may
 * interpret (src/http/failure-classification.ts).
 */

/** What an adapter gets besides its config, per request. */
export interface AdapterRequestOptions {
  /**
   * The calling user's own credential for a user-scoped vendor (Supervity JWT,
   * ProjectManager bearer), forwarded through a documented request header. When
   * present it replaces the configured credential, and the transport scope must
   * include a fingerprint of it (cached reads are per user then).
   */
  readonly forwardedCredential?: Secret;
}

/** An organization the tenant's configuration names for a vendor. */
export interface ConfiguredOrganization {
  readonly id: string;
  readonly displayName: string | null;
}

export interface DisconnectTarget {
  readonly organizationId: string;
  /** The provider as the vendor names it (Outlit provider id, Supervity slug, ProjectManager provider UUID). */
  readonly provider: string;
  /** Supervity: one action, or undefined for all. */
  readonly action?: string | undefined;
  /** The caller's `confirmProvider`: a vendor may demand it repeat `provider` when the disconnect removes everything. */
  readonly confirmProvider?: string | undefined;
  /** A dry run: reads only, so no confirmation is demanded. */
  readonly dryRun?: boolean | undefined;
}

/** What a disconnect would remove, for a dry run to list. */
export interface DisconnectPlan {
  readonly connections: readonly ConnectionModel[];
  readonly actions: readonly ActionModel[];
}

interface DisconnectOutcome {
  /** The connection after the disconnect, when the vendor still lists it; null when it is gone. */
  readonly connection: ConnectionModel | null;
  readonly disconnectedActionCount: number;
}

interface DeleteRequest {
  readonly deleteExternalAccount: boolean;
  /** The caller repeated the connection ID in confirmConnectionId: a vendor may demand it for irreversible options. */
  readonly confirmed: boolean;
}

interface DeleteOutcome {
  readonly connection: ConnectionModel | null;
  readonly organization: OrganizationModel | null;
}

/** A tenant's organizations at one vendor: in configuration order, and by id without a scan. */
export interface ConfiguredOrganizations {
  readonly list: readonly ConfiguredOrganization[];
  get(id: string): ConfiguredOrganization | undefined;
  has(id: string): boolean;
  /** The organization's index in `list`, undefined when not configured: where a page cursor resumes, without a scan. */
  position(id: string): number | undefined;
}

/**
 * One vendor, as the domain sees it, for one tenant. Reads return domain models;
 * expected mutation failures are thrown as UserFacingError, unexpected ones as
 * UpstreamError. Validation methods return problems without calling the vendor.
 */
export interface VendorAdapter {
  readonly vendor: Vendor;
  /** The organizations this tenant has at this vendor: in configuration order, and by id. */
  readonly organizations: ConfiguredOrganizations;

  /** Why a connection key (from a global ID) cannot be one of this vendor's, or null when it can. */
  checkConnectionKey(key: string): string | null;

  getOrganization(organizationId: string): Promise<OrganizationModel>;
  listConnections(organizationId: string): Promise<readonly ConnectionModel[]>;
  /** null when the vendor has no such connection. */
  getConnection(organizationId: string, key: string): Promise<ConnectionModel | null>;
  listProviders(organizationId: string): Promise<readonly ProviderModel[]>;
  /** Synchronous when the adapter knows without a vendor call (a vendor without actions): no promise per connection. */
  listActions(organizationId: string, providerSlug: string): readonly ActionModel[] | Promise<readonly ActionModel[]>;

  /** Present when the vendor can disconnect an integration. */
  readonly disconnectIntegration?: {
    /** Input problems found without calling the vendor (provider id format, action name…). */
    check(target: DisconnectTarget): readonly UserFacingError[];
    /** The connection a disconnect would affect, for dry runs and payloads; null when none is connected. */
    preview(target: DisconnectTarget): Promise<ConnectionModel | null>;
    /** Everything a disconnect would remove, where that is more than the previewed connection (Supervity). */
    plan?(target: DisconnectTarget): Promise<DisconnectPlan>;
    execute(target: DisconnectTarget): Promise<DisconnectOutcome>;
  };
  /** Present when the vendor can delete a connection. */
  readonly deleteConnection?: {
    check(request: DeleteRequest): readonly UserFacingError[];
    execute(connection: ConnectionModel, request: DeleteRequest): Promise<DeleteOutcome>;
  };
  /** Present when the vendor can share connected accounts with teams. */
  readonly updateSharing?: {
    check(teamKeys: readonly string[]): readonly UserFacingError[];
    execute(connection: ConnectionModel, teamKeys: readonly string[]): Promise<ConnectionModel>;
  };
}
