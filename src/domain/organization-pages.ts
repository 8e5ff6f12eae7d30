import { unitsAfter, vendorsInOrder, type PageInfoModel } from './connection-pages.js';
import type { OrganizationModel } from './models.js';
import { decodeCursor, encodeCursor, pageSize } from './page-cursor.js';
import type { TenantScope } from './tenant-scope.js';

/**
 * Pages of the tenant's organizations, in vendor × configuration order. The
 * configuration says which organizations there are; each one on the page is
 * read from its vendor (where the vendor has an organization endpoint), so a
 * page costs its own size, whatever the tenant's.
 */

export interface OrganizationEdgeModel {
  readonly cursor: string;
  /** Rejected when its vendor could not be read: GraphQL nulls that node alone, with an error at its path. */
  readonly node: Promise<OrganizationModel>;
}

export interface OrganizationPageModel {
  readonly edges: readonly OrganizationEdgeModel[];
  readonly pageInfo: PageInfoModel;
  readonly totalCount: number;
}

export function pageOrganizations(
  scope: TenantScope,
  args: { readonly first?: number | null | undefined; readonly after?: string | null | undefined },
): OrganizationPageModel {
  const first = pageSize(args.first);
  const from = args.after != null ? decodeCursor('organizations', scope.tenantId, args.after) : null;
  const adapters = vendorsInOrder(scope, null);
  const units = unitsAfter(adapters, from && { ...from, key: null });
  const edges: OrganizationEdgeModel[] = [];
  let next = units.next();
  for (; !next.done && edges.length < first; next = units.next()) {
    const { adapter, organizationId, position } = next.value;
    const node = adapter.getOrganization(organizationId);
    // Observed now; GraphQL reports the rejection at the node's path when it resolves the field.
    node.catch(() => {});
    const at = { vendor: adapter.vendor, organizationId, organizationPosition: position, key: null };
    edges.push({ cursor: encodeCursor('organizations', scope.tenantId, at), node });
  }
  return {
    edges,
    pageInfo: { hasNextPage: !next.done, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: adapters.reduce((total, adapter) => total + adapter.organizations.list.length, 0),
  };
}
