import type { VendorAdapter } from '../vendors/port.js';
import { NotFoundError } from './errors.js';
import type { GlobalId } from './global-id.js';
import type { Vendor } from './models.js';

/**
 * What the domain knows of the caller: its tenant id and the adapters of the
 * vendors configured for it. Everything the domain reads or changes goes
 * through `organizationOf`, so a tenant can only reach organizations its own
 * configuration names — another tenant's valid ID is simply NOT_FOUND.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly adapters: ReadonlyMap<Vendor, VendorAdapter>;
  /**
   * Told when the answer will carry a vendor's failure as data (`vendorErrors`)
   * rather than as an error: such an answer is not the vendor's state and must
   * not be reused (the response cache does not store it).
   */
  readonly onPartialFailure?: () => void;
}

/** The adapter for an ID's vendor, when the tenant has both that vendor and that organization configured. */
export function adapterOf(
  scope: TenantScope,
  vendor: Vendor,
  organizationId: string,
  notFound: () => NotFoundError,
): VendorAdapter {
  const adapter = scope.adapters.get(vendor);
  if (!adapter || !adapter.organizations.some((o) => o.id === organizationId)) throw notFound();
  return adapter;
}

export const adapterForId = (scope: TenantScope, id: GlobalId, rawId: string): VendorAdapter =>
  adapterOf(scope, id.vendor, id.organizationId, () => new NotFoundError(id.typename, rawId));
