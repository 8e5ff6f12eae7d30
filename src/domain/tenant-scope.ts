import type { ReadLedger } from '../request/read-ledger.js';
import type { VendorAdapter } from '../vendors/port.js';
import type { AuditRecorder } from './audit.js';
import type { ConnectionIndexStore } from './connection-index.js';
import { NotFoundError } from './errors.js';
import type { GlobalId } from './global-id.js';
import type { MutationIndex } from './index-sync.js';
import type { Vendor } from './models.js';

/**
 * What the domain knows of the caller: its tenant id and the adapters of the
 * vendors configured for it. Everything the domain reads or changes goes
 * through `adapterOf`, so a tenant can only reach organizations its own
 * configuration names — another tenant's valid ID is simply NOT_FOUND.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly adapters: ReadonlyMap<Vendor, VendorAdapter>;

  /** The connection index pages are read from (src/domain/connection-pages.ts). */
  readonly connectionIndex?: ConnectionIndexAccess | undefined;
  /**
   * What this request's answer rests on (its RequestState's ledger). An answer
   * that carries a vendor's failure as data (`vendorErrors`) is not the
   * vendor's state: the domain spoils the ledger, so it is never reused.
   */
  readonly reads: ReadLedger;
  /** The request's audit recorder: an ID naming an organization the tenant does not have is recorded. */
  readonly audit?: AuditRecorder | undefined;
  /** The connection index, which a mutation updates at once (src/domain/index-sync.ts). */
  readonly index?: MutationIndex | undefined;
}

/** The connection index, as the request path reads it. */
export interface ConnectionIndexAccess {
  readonly store: ConnectionIndexStore;
  /** The tenant's adapters on its configured credentials (never a user's forwarded one): what the index is filled with. */
  readonly adapters: ReadonlyMap<Vendor, VendorAdapter>;
  readonly now: () => number;
}

/** The adapter for an ID's vendor, when the tenant has both that vendor and that organization configured. */
export function adapterOf(
  scope: TenantScope,
  vendor: Vendor,
  organizationId: string,
  notFound: () => NotFoundError,
): VendorAdapter {
  const adapter = scope.adapters.get(vendor);
  if (!adapter || !adapter.organizations.has(organizationId)) throw notFound();
  return adapter;
}

/** The adapter for an ID the caller sent; one naming an organization the tenant does not have is audited. */
export const adapterForId = (scope: TenantScope, id: GlobalId, rawId: string): VendorAdapter =>
  adapterOf(scope, id.vendor, id.organizationId, () => {
    scope.audit?.record({ kind: 'NOT_FOUND', outcome: 'REFUSED', code: 'NOT_FOUND', targetIds: [rawId] });
    return new NotFoundError(id.typename, rawId);
  });
