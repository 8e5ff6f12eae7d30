import { Secret } from '../config/secret.js';
import { type GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import { type ActionModel, NO_ACTIONS, type OrganizationModel, type Vendor } from '../domain/models.js';
import type { ConnectTransport, VendorEndpoint, VendorTransport } from '../loaders/vendor-transport.js';
import type { ConfiguredOrganization, ConfiguredOrganizations } from './port.js';

/** What the five adapters would otherwise each write again. */

/** An Authorization value for a bearer token; a Secret again, so it stays redacted until the request is built. */
export const bearer = (token: Secret): Secret => new Secret(`Bearer ${token.reveal()}`);

type Configured = readonly { readonly id: string; readonly displayName?: string | undefined }[];

/**
 * A tenant's organizations at a vendor, indexed by id once per configuration:
 * a tenant may have thousands of organizations, and no request should copy
 * or scan them to find one.
 */
const indexed = new WeakMap<Configured, ConfiguredOrganizations>();
export function configuredOrganizations(configured: Configured): ConfiguredOrganizations {
  let organizations = indexed.get(configured);
  if (!organizations) {
    const list: readonly ConfiguredOrganization[] = configured.map((o) => ({
      id: o.id,
      displayName: o.displayName ?? null,
    }));
    const byId = new Map(list.map((o, position) => [o.id, { organization: o, position }]));
    // The last organization found: a list's connections are checked one after another against their organization,
    // and comparing with it costs less than a lookup in thousands of keys (a hash and a cache miss each).
    let lastId: string | undefined;
    let last: { readonly organization: ConfiguredOrganization; readonly position: number } | undefined;
    const find = (id: string) => {
      if (id === lastId) return last;
      const found = byId.get(id);
      if (found) {
        lastId = id;
        last = found;
      }
      return found;
    };
    organizations = {
      list,
      get: (id) => find(id)?.organization,
      has: (id) => find(id) !== undefined,
      position: (id) => find(id)?.position,
    };
    indexed.set(configured, organizations);
  }
  return organizations;
}

/**
 * What a vendor's adapter is made of, decided by the tenant's configuration alone: built once per configuration
 * (configuration objects never change, and live as long as the gateway), where building it per request was a
 * measurable share of an uncached request's CPU and of the bytes it keeps alive.
 */
export interface AdapterSetup {
  readonly vendor: Vendor;
  readonly organizations: ConfiguredOrganizations;
}

/** `build` once per configuration object, then the same result (a WeakMap: a replaced configuration is forgotten). */
export function perConfiguration<C extends object, T>(build: (config: C) => T): (config: C) => T {
  const built = new WeakMap<C, T>();
  return (config) => {
    let value = built.get(config);
    if (value === undefined) built.set(config, (value = build(config)));
    return value;
  };
}

/**
 * One request's adapter for one vendor: its configuration's setup, shared by every request of the tenant, and the
 * request's own transports (its loaders, trace, deadline and secrets), connected on first use and never shared.
 * A vendor's adapter extends it with its operations as methods, so a request allocates this one small object per
 * vendor it reaches, not a closure per operation. The defaults are those of a vendor without an organization
 * endpoint or actions (all but UserHub and Supervity respectively).
 */
export abstract class RequestAdapter<S extends AdapterSetup> {
  readonly #connect: ConnectTransport;
  // Most requests reach one endpoint of a vendor: kept without a Map until a second one is asked for.
  #endpoint: VendorEndpoint | undefined;
  #transport: VendorTransport | undefined;
  #more: Map<VendorEndpoint, VendorTransport> | undefined;

  constructor(
    protected readonly setup: S,
    connect: ConnectTransport,
  ) {
    this.#connect = connect;
  }

  get vendor(): S['vendor'] {
    return this.setup.vendor;
  }

  get organizations(): ConfiguredOrganizations {
    return this.setup.organizations;
  }

  /** This request's transport to an endpoint: one per endpoint (its cache scope), made on first use. */
  protected transport(endpoint: VendorEndpoint): VendorTransport {
    if (endpoint === this.#endpoint) return this.#transport!;
    if (this.#endpoint === undefined) {
      this.#endpoint = endpoint;
      return (this.#transport = this.#connect(endpoint));
    }
    let transport = (this.#more ??= new Map()).get(endpoint);
    if (!transport) this.#more.set(endpoint, (transport = this.#connect(endpoint)));
    return transport;
  }

  /** The organization as configured: for vendors without an organization endpoint. */
  async getOrganization(organizationId: string): Promise<OrganizationModel> {
    return {
      vendor: this.setup.vendor,
      externalId: organizationId,
      displayName: this.setup.organizations.get(organizationId)?.displayName ?? null,
      state: null,
      createdAt: null,
      updatedAt: null,
    };
  }

  /** None, without a vendor call or a promise: for vendors without actions. */
  listActions(
    _organizationId: string,
    _providerSlug: string,
  ): readonly ActionModel[] | Promise<readonly ActionModel[]> {
    return NO_ACTIONS;
  }
}

/** A vendor whose organizations each have an endpoint, on the configured credential or on a caller's forwarded one. */
export interface ForwardableSetup extends AdapterSetup {
  /** Each organization's endpoint on the configured credential: built once per configuration. */
  readonly endpointOf: (organizationId: string) => VendorEndpoint;
  /** The same on a forwarded credential, whose reads are that caller's own: built for the request that forwarded it. */
  readonly forwardedEndpoints: (credential: Secret) => (organizationId: string) => VendorEndpoint;
}

/** A request's adapter to a vendor that takes a forwarded credential in place of the configured one. */
export abstract class ForwardingRequestAdapter<S extends ForwardableSetup> extends RequestAdapter<S> {
  readonly #endpointOf: (organizationId: string) => VendorEndpoint;

  constructor(setup: S, connect: ConnectTransport, forwardedCredential: Secret | undefined) {
    super(setup, connect);
    this.#endpointOf = forwardedCredential ? setup.forwardedEndpoints(forwardedCredential) : setup.endpointOf;
  }

  /** This request's transport to an organization's endpoint. */
  protected transportOf(organizationId: string): VendorTransport {
    return this.transport(this.#endpointOf(organizationId));
  }
}

/**
 * One endpoint per configured organization, each built on first use, for vendors whose credential or headers
 * differ per organization (and so whose cached reads must too: the endpoint's scope names the organization).
 * Built once per configuration, its endpoints are the same objects request after request.
 */
export function endpointPerOrganization<O extends { readonly id: string }>(
  organizations: readonly O[],
  endpointOf: (organization: O) => VendorEndpoint,
): (organizationId: string) => VendorEndpoint {
  const built = new Map<string, VendorEndpoint>();
  const byId = indexedById(organizations);
  return (organizationId) => {
    let endpoint = built.get(organizationId);
    if (!endpoint) {
      const organization = byId.get(organizationId) as O | undefined;
      // The domain only routes configured organizations to an adapter (tenant-scope.ts).
      if (!organization) throw new Error(`Organization ${organizationId} is not configured for this vendor`);
      built.set(organizationId, (endpoint = endpointOf(organization)));
    }
    return endpoint;
  };
}

/** Private: configured organizations (with their credentials) by id, indexed once per configuration. */
const byIdOf = new WeakMap<readonly { readonly id: string }[], ReadonlyMap<string, { readonly id: string }>>();
function indexedById(organizations: readonly { readonly id: string }[]): ReadonlyMap<string, { readonly id: string }> {
  let byId = byIdOf.get(organizations);
  if (!byId) byIdOf.set(organizations, (byId = new Map(organizations.map((o) => [o.id, o]))));
  return byId;
}

/** A vendor failure of the given class: what an operation catches to report as its own outcome (NOT_FOUND → null…). */
export const isUpstreamFailure = (error: unknown, code: GatewayErrorCode): error is UpstreamError =>
  error instanceof UpstreamError && error.code === code;
