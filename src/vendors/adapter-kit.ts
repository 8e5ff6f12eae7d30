import { Secret } from '../config/secret.js';
import { type GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { ActionModel, OrganizationModel, Vendor } from '../domain/models.js';
import type { ConnectTransport, VendorEndpoint, VendorTransport } from '../loaders/vendor-transport.js';
import type { ConfiguredOrganization, ConfiguredOrganizations, VendorAdapter } from './port.js';

/** What the five adapters would otherwise each write again. */

/** An Authorization value for a bearer token; a Secret again, so it stays redacted until the request is built. */
export const bearer = (token: Secret): Secret => new Secret(`Bearer ${token.reveal()}`);

type Configured = readonly { readonly id: string; readonly displayName?: string | undefined }[];

/**
 * A tenant's organizations at a vendor, indexed by id once per configuration:
 * adapters are built per request, a tenant may have thousands of
 * organizations, and no request should copy or scan them to find one.
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
 * The adapter members a vendor without an organization endpoint or actions
 * needs (all but UserHub and Supervity respectively): the organizations the
 * tenant's configuration names, an organization model made from that
 * configuration, and no actions. An adapter spreads them and overrides the rest.
 */
export function adapterBasics(
  vendor: Vendor,
  configured: Configured,
): Pick<VendorAdapter, 'vendor' | 'organizations' | 'getOrganization' | 'listActions'> {
  const organizations = configuredOrganizations(configured);
  return {
    vendor,
    organizations,
    getOrganization: async (organizationId): Promise<OrganizationModel> => ({
      vendor,
      externalId: organizationId,
      displayName: organizations.get(organizationId)?.displayName ?? null,
      state: null,
      createdAt: null,
      updatedAt: null,
    }),
    listActions: () => NO_ACTIONS,
  };
}

/** Frozen, so the one list every connection of a vendor without actions shares cannot be changed through one of them. */
const NO_ACTIONS: readonly ActionModel[] = Object.freeze([]);

/**
 * One transport per configured organization, built on first use, for vendors
 * whose credential or headers differ per organization (and so whose cached
 * reads must too: the endpoint's scope names the organization).
 */
export function transportPerOrganization<O extends { readonly id: string }>(
  connect: ConnectTransport,
  organizations: readonly O[],
  endpointOf: (organization: O) => VendorEndpoint,
): (organizationId: string) => VendorTransport {
  const built = new Map<string, VendorTransport>();
  const byId = indexedById(organizations);
  return (organizationId) => {
    let transport = built.get(organizationId);
    if (!transport) {
      const organization = byId.get(organizationId) as O | undefined;
      // The domain only routes configured organizations to an adapter (tenant-scope.ts).
      if (!organization) throw new Error(`Organization ${organizationId} is not configured for this vendor`);
      transport = connect(endpointOf(organization));
      built.set(organizationId, transport);
    }
    return transport;
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
