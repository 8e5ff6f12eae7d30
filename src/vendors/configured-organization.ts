import type { OrganizationModel, Vendor } from '../domain/models.js';
import type { ConfiguredOrganization } from './port.js';

/**
 * The organization model of a vendor that has no organization endpoint (Leen,
 * Outlit, Supervity, ProjectManager): the organization is what the tenant's
 * configuration names, with the display name given there.
 */
export function configuredOrganizationModel(
  vendor: Vendor,
  organizations: readonly ConfiguredOrganization[],
  organizationId: string,
): OrganizationModel {
  const configured = organizations.find((o) => o.id === organizationId);
  return {
    vendor,
    externalId: organizationId,
    displayName: configured?.displayName ?? null,
    state: null,
    createdAt: null,
    updatedAt: null,
  };
}
