import { loadConnection, routeConnection } from './connection-route.js';
import { GatewayError, NotFoundError } from './errors.js';
import { decodeGlobalId, decodeGlobalIdOf, organizationGlobalId, type GlobalId } from './global-id.js';
import type { ActionModel, ConnectionModel, OrganizationModel, ProviderModel, Vendor } from './models.js';
import { connectionPredicate, type ConnectionFilterModel } from './connection-filter.js';
import { pageConnections, type ConnectionPage, type ConnectionPageArgs } from './connection-pages.js';
import { adapterForId, adapterOf, type TenantScope } from './tenant-scope.js';

/** Read use cases: decode and authorize IDs, route to the vendor's adapter, filter. */

type NodeModel =
  | ({ readonly __typename: 'Organization' } & OrganizationModel)
  | ({ readonly __typename: 'Connection' } & ConnectionModel)
  | ({ readonly __typename: 'Provider' } & ProviderModel)
  | ({ readonly __typename: 'Action' } & ActionModel);

export interface VendorErrorModel {
  readonly vendor: Vendor;
  readonly organizationId: string;
  readonly code: string;
  readonly message: string;
}

export interface ConnectionListModel {
  readonly nodes: readonly ConnectionModel[];
  readonly vendorErrors: readonly VendorErrorModel[];
  /** Set when the list is a page of the index: its edges, page info and count. */
  readonly page?: ConnectionPage;
}

export async function getOrganization(scope: TenantScope, id: string, argumentName = 'id'): Promise<OrganizationModel> {
  return organizationOfId(scope, decodeGlobalIdOf('Organization', id, argumentName), id);
}

/** Private: an organization by its decoded ID (async: a refused one is this entry's rejection, not a throw). */
async function organizationOfId(scope: TenantScope, gid: GlobalId, id: string): Promise<OrganizationModel> {
  return adapterForId(scope, gid, id).getOrganization(gid.organizationId);
}

/** An organization a model refers to; the reference came from a vendor, so it is trusted to be in scope. */
export function getOrganizationOf(
  scope: TenantScope,
  vendor: Vendor,
  organizationId: string,
): Promise<OrganizationModel> {
  const adapter = adapterOf(
    scope,
    vendor,
    organizationId,
    () => new NotFoundError('Organization', organizationGlobalId(vendor, organizationId)),
  );
  return adapter.getOrganization(organizationId);
}

/**
 * Several organizations, as one promise each: GraphQL nulls a rejected entry
 * and reports its error at that index, so one vendor's trouble costs only its
 * own entries. Without ids: every configured organization.
 */
export function getOrganizations(
  scope: TenantScope,
  ids: readonly string[] | null | undefined,
): Promise<OrganizationModel>[] {
  if (ids) {
    // Decode every ID first: one malformed ID rejects the request before any vendor call.
    const decoded = ids.map((id, index) => decodeGlobalIdOf('Organization', id, `ids[${index}]`));
    return ids.map((id, index) => organizationOfId(scope, decoded[index]!, id));
  }
  return [...scope.adapters.values()].flatMap((adapter) =>
    adapter.organizations.list.map((o) => adapter.getOrganization(o.id)),
  );
}

export async function getConnection(scope: TenantScope, id: string, argumentName = 'id'): Promise<ConnectionModel> {
  const gid = decodeGlobalIdOf('Connection', id, argumentName);
  return loadConnection(routeConnection(scope, gid, id, argumentName));
}

/** Not async: a frame that only awaited the adapter's list was kept for the whole vendor call. */
export function listOrganizationConnections(
  scope: TenantScope,
  organization: OrganizationModel,
  filter: ConnectionFilterModel | null | undefined,
): Promise<readonly ConnectionModel[]> {
  try {
    const adapter = adapterOf(
      scope,
      organization.vendor,
      organization.externalId,
      () => new NotFoundError('Organization', organizationGlobalId(organization.vendor, organization.externalId)),
    );
    const keep = connectionPredicate(filter);
    const connections = adapter.listConnections(organization.externalId);
    // Without a filter every connection stays: the adapter's list as it is, not a copy.
    return filter ? connections.then((list) => list.filter(keep)) : connections;
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** `connections`: a page of the index when paging (or asked for INDEX), otherwise the live cross-vendor list. */
export async function readConnections(scope: TenantScope, args: ConnectionPageArgs): Promise<ConnectionListModel> {
  const paged = args.first != null || args.after != null || args.freshness === 'INDEX';
  if (!paged) return searchConnections(scope, args.filter);
  if (!scope.connectionIndex) throw new Error('Pages need the connection index, which this gateway was built without');
  const page = await pageConnections(scope, scope.connectionIndex, args);
  return {
    nodes: page.edges.map((e) => e.node),
    vendorErrors: page.failures.map((f) => toVendorError(f.vendor, f.organizationId, f.error)),
    page,
  };
}

/** Connections across every vendor and organization of the tenant; a failing organization is reported, not fatal. */
export async function searchConnections(
  scope: TenantScope,
  filter: ConnectionFilterModel | null | undefined,
): Promise<ConnectionListModel> {
  const keep = connectionPredicate(filter);
  const adapters = [...scope.adapters.values()].filter((a) => !filter?.vendor || filter.vendor.includes(a.vendor));
  const perOrganization = await Promise.all(
    adapters.flatMap((adapter) =>
      adapter.organizations.list.map(async (o) => {
        try {
          return { nodes: (await adapter.listConnections(o.id)).filter(keep) };
        } catch (error) {
          scope.reads.spoil();
          return { error: toVendorError(adapter.vendor, o.id, error) };
        }
      }),
    ),
  );
  return {
    nodes: perOrganization.flatMap((r) => r.nodes ?? []),
    vendorErrors: perOrganization.flatMap((r) => (r.error ? [r.error] : [])),
  };
}

/** When a connection was read from the vendor: the index's time, or this request's (oldest) read of its vendor. */
export function syncedAtOf(scope: TenantScope, connection: ConnectionModel): string {
  return connection.syncedAt ?? new Date(scope.reads.readAt.get(connection.vendor) ?? Date.now()).toISOString();
}

/** The union of the providers seen through each of the tenant's organizations at a vendor. */
export async function listProviders(scope: TenantScope, vendor: Vendor): Promise<ProviderModel[]> {
  const adapter = scope.adapters.get(vendor);
  if (!adapter) return [];
  const lists = await Promise.all(adapter.organizations.list.map((o) => adapter.listProviders(o.id)));
  const bySlug = new Map<string, ProviderModel>();
  for (const provider of lists.flat()) if (!bySlug.has(provider.slug)) bySlug.set(provider.slug, provider);
  return [...bySlug.values()];
}

/** As the adapter answers it: a vendor without actions answers synchronously (a dashboard asks once per connection). */
export function listActions(
  scope: TenantScope,
  provider: ProviderModel,
): readonly ActionModel[] | Promise<readonly ActionModel[]> {
  const adapter = adapterOf(
    scope,
    provider.vendor,
    provider.scopeOrganizationId,
    () => new NotFoundError('Provider', provider.slug),
  );
  return adapter.listActions(provider.scopeOrganizationId, provider.slug);
}

export async function getNode(scope: TenantScope, id: string): Promise<NodeModel> {
  const gid = decodeGlobalId(id);
  switch (gid.typename) {
    case 'Organization':
      return {
        __typename: 'Organization',
        ...(await adapterForId(scope, gid, id).getOrganization(gid.organizationId)),
      };
    case 'Connection':
      return {
        __typename: 'Connection',
        ...(await loadConnection(routeConnection(scope, gid, id, 'id'))),
      };
    case 'Provider': {
      const providers = await adapterForId(scope, gid, id).listProviders(gid.organizationId);
      const provider = providers.find((p) => p.slug === gid.keys[0]);
      if (!provider) throw new NotFoundError('Provider', id);
      return { __typename: 'Provider', ...provider };
    }
    case 'Action': {
      const [providerSlug, actionName] = gid.keys as [string, string];
      const actions = await adapterForId(scope, gid, id).listActions(gid.organizationId, providerSlug);
      const action = actions.find((a) => a.name === actionName);
      if (!action) throw new NotFoundError('Action', id);
      return { __typename: 'Action', ...action };
    }
  }
}

export function toVendorError(vendor: Vendor, organizationId: string, error: unknown): VendorErrorModel {
  const id = organizationGlobalId(vendor, organizationId);
  if (error instanceof GatewayError) return { vendor, organizationId: id, code: error.code, message: error.message };
  return { vendor, organizationId: id, code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' };
}
