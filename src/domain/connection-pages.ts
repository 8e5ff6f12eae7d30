import type { VendorAdapter } from '../vendors/port.js';
import { connectionPredicate, type ConnectionFilterModel } from './connection-filter.js';
import type { ConnectionIndexStore, IndexedOrganization } from './connection-index.js';
import { syncOrganization } from './index-sync.js';
import { VENDORS, type ConnectionModel, type Vendor } from './models.js';
import { decodeCursor, encodeCursor, pageSize, type PagePosition } from './page-cursor.js';
import type { ConnectionIndexAccess, TenantScope } from './tenant-scope.js';

/**
 * Pages of the tenant's connections served from the connection index: a keyset
 * walk in the order vendor × configured organization × connection key, reading
 * only the index entries the page needs (a cold one is indexed on demand, as a
 * baseline), so a page's cost grows with the page, not with the tenant.
 */

/** INDEX: as last synced (each node says when). LIVE: each organization on the page read from its vendor now. */
export type Freshness = 'INDEX' | 'LIVE';

export interface ConnectionPageArgs {
  readonly filter?: ConnectionFilterModel | null | undefined;
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly freshness?: Freshness | null | undefined;
}

export interface ConnectionEdgeModel {
  readonly cursor: string;
  readonly node: ConnectionModel;
}

export interface PageInfoModel {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

/** A unit failed to load: reported like a cross-vendor list reports it, and walked past. */
export interface PageFailure {
  readonly vendor: Vendor;
  readonly organizationId: string;
  readonly error: unknown;
}

export interface ConnectionPage {
  readonly edges: readonly ConnectionEdgeModel[];
  readonly pageInfo: PageInfoModel;
  readonly failures: readonly PageFailure[];
  /** Connections in the index matching the filter, from the store's counts (no scan); asked only when selected. */
  readonly countTotal: () => Promise<number>;
}

/** Organizations a page may walk, and cold ones it may index, before it ends early (hasNextPage, fewer edges). */
export const PAGE_LIMITS = { unitsWalked: 1_000, unitsFilled: 100, chunk: 200, guessPerOrganization: 4 };

interface WalkUnit {
  readonly adapter: VendorAdapter;
  readonly organizationId: string;
  readonly position: number;
  /** Only connections after this key (the cursor's own organization). */
  readonly afterKey: string | null;
}

/** The vendors a walk visits, in their schema order, from the cursor's on. */
export function vendorsInOrder(scope: TenantScope, only: readonly Vendor[] | null | undefined): VendorAdapter[] {
  return VENDORS.flatMap((vendor) => {
    const adapter = scope.adapters.get(vendor);
    return adapter && (!only || only.includes(vendor)) ? [adapter] : [];
  });
}

/** The units after a position (organization order by index into the configuration: nothing is copied or scanned). */
export function* unitsAfter(adapters: readonly VendorAdapter[], from: PagePosition | null): Generator<WalkUnit> {
  const fromRank = from ? VENDORS.indexOf(from.vendor) : -1;
  for (const adapter of adapters) {
    const rank = VENDORS.indexOf(adapter.vendor);
    if (rank < fromRank) continue;
    const { list } = adapter.organizations;
    let index = 0;
    let afterKey: string | null = null;
    if (from && rank === fromRank) {
      const known = adapter.organizations.position(from.organizationId);
      // An organization dropped from the configuration since: resume where it stood.
      if (known === undefined) index = Math.min(from.organizationPosition, list.length);
      else if (from.key === null) index = known + 1;
      else [index, afterKey] = [known, from.key];
    }
    for (; index < list.length; index++, afterKey = null)
      yield { adapter, organizationId: list[index]!.id, position: index, afterKey };
  }
}

export async function pageConnections(
  scope: TenantScope,
  index: ConnectionIndexAccess,
  args: ConnectionPageArgs,
): Promise<ConnectionPage> {
  const first = pageSize(args.first);
  const keep = connectionPredicate(args.filter);
  const from = args.after != null ? decodeCursor('connections', scope.tenantId, args.after) : null;
  const cursorOf = (position: PagePosition) => encodeCursor('connections', scope.tenantId, position);
  const adapters = vendorsInOrder(scope, args.filter?.vendor);
  const units = unitsAfter(adapters, from);

  const edges: ConnectionEdgeModel[] = [];
  const failures: PageFailure[] = [];
  /** After the last unit walked whole: where the next page starts when this one ends early. */
  let walkedTo: PagePosition | null = null;
  let found = false;
  let cutShort = false;
  let [walked, filled] = [0, 0];
  let next = units.next();
  let chunk = Math.ceil((first + 1) / PAGE_LIMITS.guessPerOrganization) + 1;
  walk: while (!next.done && walked < PAGE_LIMITS.unitsWalked && filled < PAGE_LIMITS.unitsFilled) {
    const batch: WalkUnit[] = [];
    for (; !next.done && batch.length < Math.min(chunk, PAGE_LIMITS.unitsWalked - walked); next = units.next())
      batch.push(next.value);
    const loaded = await loadUnits(scope, index, batch, args.freshness ?? 'INDEX', PAGE_LIMITS.unitsFilled - filled);
    walked += loaded.entries.length;
    filled += loaded.filled;
    for (const [i, entry] of loaded.entries.entries()) {
      const unit = batch[i]!;
      const at = {
        vendor: unit.adapter.vendor,
        organizationId: unit.organizationId,
        organizationPosition: unit.position,
      };
      if (!('connections' in entry)) failures.push({ ...at, error: entry.error });
      else {
        for (const connection of entry.connections) {
          if ((unit.afterKey !== null && connection.key <= unit.afterKey) || !keep(connection)) continue;
          if (edges.length === first) {
            found = true;
            break walk;
          }
          const node = { ...connection, syncedAt: entry.syncedAt };
          edges.push({ cursor: cursorOf({ ...at, key: connection.key }), node });
        }
      }
      walkedTo = { ...at, key: null };
    }
    // The fill budget left units of this batch unloaded: the next page walks them.
    cutShort = loaded.entries.length < batch.length;
    if (cutShort) break;
    chunk = Math.min(chunk * 2, PAGE_LIMITS.chunk);
  }
  if (failures.length > 0) scope.reads.spoil();
  const lastCursor = edges.at(-1)?.cursor ?? null;
  // Ended early (a budget ran out before the page filled): resume after the last unit walked.
  const endedEarly = !found && (cutShort || !next.done);
  return {
    edges,
    pageInfo: {
      hasNextPage: found || endedEarly,
      endCursor: endedEarly ? (walkedTo ? cursorOf(walkedTo) : (args.after ?? null)) : lastCursor,
    },
    failures,
    countTotal: () => countMatching(index.store, scope.tenantId, adapters, args.filter),
  };
}

type LoadedUnit = IndexedOrganization | { readonly error: unknown };

/** Private: the batch's entries in one store read; cold units (or all, LIVE) read from the vendor within `fillBudget`. */
async function loadUnits(
  scope: TenantScope,
  index: ConnectionIndexAccess,
  batch: readonly WalkUnit[],
  freshness: Freshness,
  fillBudget: number,
): Promise<{ entries: LoadedUnit[]; filled: number }> {
  const units = batch.map((u) => ({ vendor: u.adapter.vendor, organizationId: u.organizationId }));
  const stored: (IndexedOrganization | null)[] =
    freshness === 'LIVE' ? units.map(() => null) : await index.store.read(scope.tenantId, units);
  let cold = 0;
  const cut = stored.findIndex((entry) => entry === null && ++cold > fillBudget);
  const usable = cut === -1 ? stored : stored.slice(0, cut);
  const entries = await Promise.all(
    usable.map(async (entry, i): Promise<LoadedUnit> => {
      if (entry) return entry;
      const unit = { tenantId: scope.tenantId, ...units[i]! };
      try {
        // Cold (INDEX) or every unit (LIVE): listed and committed; a first indexing is a baseline, no events.
        const adapter = index.adapters.get(unit.vendor)!;
        const outcome = await syncOrganization(adapter, index.store, unit, { lease: null, now: index.now });
        if (outcome.status === 'committed') return outcome.entry;
        // A newer entry (a mutation, another writer) is at least as live.
        const [again] = await index.store.read(scope.tenantId, [units[i]!]);
        return (
          again ?? { error: new Error(`The ${unit.vendor} organization ${unit.organizationId} could not be read`) }
        );
      } catch (error) {
        return { error };
      }
    }),
  );
  return { entries, filled: usable.filter((entry) => entry === null).length };
}

/** Private: totalCount from the index's counts by vendor, status and provider. */
async function countMatching(
  store: ConnectionIndexStore,
  tenantId: string,
  adapters: readonly VendorAdapter[],
  filter: ConnectionFilterModel | null | undefined,
): Promise<number> {
  const vendors = new Set(adapters.map((a) => a.vendor));
  const provider = filter?.provider?.toLowerCase() ?? null;
  let total = 0;
  for (const c of await store.counts(tenantId))
    if (
      vendors.has(c.vendor) &&
      (!filter?.status || filter.status.includes(c.status)) &&
      (provider === null || c.providerSlug.toLowerCase() === provider)
    )
      total += c.count;
  return total;
}

/** Cursors for a live list's nodes (an organization's position is a map lookup), so a client can page on from one. */
export function liveEdges(scope: TenantScope, nodes: readonly ConnectionModel[]): ConnectionEdgeModel[] {
  return nodes.map((node) => ({
    cursor: encodeCursor('connections', scope.tenantId, {
      vendor: node.vendor,
      organizationId: node.organizationId,
      organizationPosition: scope.adapters.get(node.vendor)?.organizations.position(node.organizationId) ?? 0,
      key: node.key,
    }),
    node,
  }));
}
