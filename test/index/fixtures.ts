import { connectionGlobalId } from '../../src/domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS, type Vendor } from '../../src/domain/models.js';

/** A connection as an adapter maps it, with the fields a test changes given. */
export function connection(
  key: string,
  changes: Partial<ConnectionModel> = {},
  vendor: Vendor = 'LEEN',
): ConnectionModel {
  return {
    id: connectionGlobalId(vendor, changes.organizationId ?? 'org-1', key),
    vendor,
    organizationId: 'org-1',
    key,
    externalId: key,
    provider: {
      vendor,
      slug: `provider-${key}`,
      displayName: `Provider ${key}`,
      description: null,
      category: null,
      scopeOrganizationId: 'org-1',
    },
    status: 'ACTIVE',
    vendorStatus: 'active',
    health: null,
    accountIdentifier: `${key}@example.com`,
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...changes,
  };
}
