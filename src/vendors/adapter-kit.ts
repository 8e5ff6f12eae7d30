import { Secret } from '../config/secret.js';
import { type GatewayErrorCode, UpstreamError } from '../domain/errors.js';
import type { OrganizationModel, Vendor } from '../domain/models.js';
import type {
  ConfiguredOrganization,
  ConnectTransport,
  VendorAdapter,
  VendorEndpoint,
  VendorTransport,
} from './port.js';

/** What the five adapters would otherwise each write again. */

/** An Authorization value for a bearer token; a Secret again, so it stays redacted until the request is built. */
export const bearer = (token: Secret): Secret => new Secret(`Bearer ${token.reveal()}`);

/**
 * The adapter members a vendor without an organization endpoint or actions
 * needs (all but UserHub and Supervity respectively): the organizations the
 * tenant's configuration names, an organization model made from that
 * configuration, and no actions. An adapter spreads them and overrides the rest.
 */
export function adapterBasics(
  vendor: Vendor,
  configured: readonly { readonly id: string; readonly displayName?: string | undefined }[],
): Pick<VendorAdapter, 'vendor' | 'organizations' | 'getOrganization' | 'listActions'> {
  const organizations: readonly ConfiguredOrganization[] = configured.map((o) => ({
    id: o.id,
    displayName: o.displayName ?? null,
  }));
  return {
    vendor,
    organizations,
    getOrganization: async (organizationId): Promise<OrganizationModel> => ({
      vendor,
      externalId: organizationId,
      displayName: organizations.find((o) => o.id === organizationId)?.displayName ?? null,
      state: null,
      createdAt: null,
      updatedAt: null,
    }),
    listActions: async () => [],
  };
}

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
  return (organizationId) => {
    let transport = built.get(organizationId);
    if (!transport) {
      const organization = organizations.find((o) => o.id === organizationId);
      // The domain only routes configured organizations to an adapter (tenant-scope.ts).
      if (!organization) throw new Error(`Organization ${organizationId} is not configured for this vendor`);
      transport = connect(endpointOf(organization));
      built.set(organizationId, transport);
    }
    return transport;
  };
}

/** A vendor failure of the given class: what an operation catches to report as its own outcome (NOT_FOUND → null…). */
export const isUpstreamFailure = (error: unknown, code: GatewayErrorCode): error is UpstreamError =>
  error instanceof UpstreamError && error.code === code;
