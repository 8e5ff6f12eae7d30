import type { z } from 'zod';
import type { Secret } from '../config/secret.js';
import type { UpstreamError } from '../domain/errors.js';
import type { UserFacingError } from '../domain/errors.js';
import type { ActionModel, ConnectionModel, OrganizationModel, ProviderModel, Vendor } from '../domain/models.js';
import type { HttpMethod } from '../http/upstream-http.js';

/**
 * The port between the domain and the vendors. The domain sees only
 * VendorAdapter and domain models; each vendor folder implements it with its
 * own wire schemas (zod) and mapping. An adapter talks HTTP only through a
 * VendorTransport, which adds batching, caching and error classification.
 */

/** Which TTL a cached read gets (config.cache.ttlSeconds). */
export type ReadResource = 'organization' | 'connections' | 'providers';

export interface ResourcePath {
  /** Path below the vendor's base URL, starting with "/"; path parameters already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
}

export interface ReadSpec<T> extends ResourcePath {
  readonly resource: ReadResource;
  /** Validates the 2xx body; a body that fails it is UPSTREAM_BAD_RESPONSE. */
  readonly schema: z.ZodType<T>;
}

export interface WriteSpec<T> extends ResourcePath {
  readonly method: Exclude<HttpMethod, 'GET'>;
  readonly body?: unknown;
  /**
   * Sending this exact request twice is harmless, so Junction may repeat it
   * after a timeout, a reset or a 5xx, when it cannot know whether the vendor
   * acted. Decide per operation, from the vendor's semantics, and say why at
   * the call site. Default false: the write is then repeated only when the
   * vendor certainly did not act (429, connection refused).
   */
  readonly idempotent?: boolean;
  /** Validates the 2xx body; null when the vendor documents none (the body is then ignored). */
  readonly schema: z.ZodType<T> | null;
}

/** A non-2xx answer, for the adapter to interpret. */
export interface UpstreamFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface VendorEndpoint {
  readonly vendor: Vendor;
  readonly baseUrl: string;
  /** Request headers; Secret values are revealed only when the request is built. */
  readonly headers: Readonly<Record<string, string | Secret>>;
  /**
   * What separates cached reads of this endpoint from other endpoints of the
   * same vendor and tenant: the organization, plus a credential fingerprint
   * where responses depend on whose token is sent.
   */
  readonly scope: string;
  /**
   * Interprets a 4xx the transport did not classify itself (429 and 5xx are
   * classified generically). Return undefined to use the default mapping
   * (401/403 → UPSTREAM_UNAUTHORIZED, 404 → NOT_FOUND, else UPSTREAM_REJECTED).
   */
  readonly interpretFailure?: (failure: UpstreamFailure) => UpstreamError | UserFacingError | undefined;
}

export interface VendorTransport {
  /** A GET, deduplicated within the request, served from the shared cache when fresh. */
  read<T>(spec: ReadSpec<T>): Promise<T>;
  /** A write; never cached or deduplicated. */
  write<T>(spec: WriteSpec<T>): Promise<T | undefined>;
  /** Drops cached reads so the next read from any instance goes to the vendor. */
  invalidate(paths: readonly ResourcePath[]): Promise<void>;
}

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

/** Builds a transport for one endpoint, bound to the current request's loaders and the tenant's cache namespace. */
export type ConnectTransport = (endpoint: VendorEndpoint) => VendorTransport;

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
}

export interface DisconnectOutcome {
  /** The connection after the disconnect, when the vendor still lists it; null when it is gone. */
  readonly connection: ConnectionModel | null;
  readonly disconnectedActionCount: number;
}

export interface DeleteRequest {
  readonly deleteExternalAccount: boolean;
  /** The caller repeated the connection ID in confirmConnectionId: a vendor may demand it for irreversible options. */
  readonly confirmed: boolean;
}

export interface DeleteOutcome {
  readonly connection: ConnectionModel | null;
  readonly organization: OrganizationModel | null;
}

/**
 * One vendor, as the domain sees it, for one tenant. Reads return domain models;
 * expected mutation failures are thrown as UserFacingError, unexpected ones as
 * UpstreamError. Validation methods return problems without calling the vendor.
 */
export interface VendorAdapter {
  readonly vendor: Vendor;
  /** The organizations this tenant has at this vendor, in configuration order. */
  readonly organizations: readonly ConfiguredOrganization[];

  /** Why a connection key (from a global ID) cannot be one of this vendor's, or null when it can. */
  checkConnectionKey(key: string): string | null;

  getOrganization(organizationId: string): Promise<OrganizationModel>;
  listConnections(organizationId: string): Promise<readonly ConnectionModel[]>;
  /** null when the vendor has no such connection. */
  getConnection(organizationId: string, key: string): Promise<ConnectionModel | null>;
  listProviders(organizationId: string): Promise<readonly ProviderModel[]>;
  listActions(organizationId: string, providerSlug: string): Promise<readonly ActionModel[]>;

  /** Present when the vendor can disconnect an integration. */
  readonly disconnectIntegration?: {
    /** Input problems found without calling the vendor (provider id format, action name…). */
    check(target: DisconnectTarget): readonly UserFacingError[];
    /** The connection a disconnect would affect, for dry runs and payloads; null when none is connected. */
    preview(target: DisconnectTarget): Promise<ConnectionModel | null>;
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
