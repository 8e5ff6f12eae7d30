import type { VendorAdapter } from '../vendors/port.js';
import { diffConnections, indexOrder, mutationEvent, type DiffContext } from './connection-changes.js';
import type {
  ConnectionEvent,
  ConnectionEventInput,
  ConnectionEventSource,
  ConnectionIndexStore,
  IndexedOrganization,
  Lease,
  SyncUnit,
} from './connection-index.js';
import type { ConnectionModel, Vendor } from './models.js';

/**
 * Keeping a unit's index entry fresh: a sync lists the organization's
 * connections through the tenant's adapter (the request path's transport,
 * cache, resilience policy and bulkhead), diffs the listing with the entry it
 * read and commits both with compare-and-set. An event exists only inside a
 * committed diff, so however many writers race, each change is reported once;
 * a loser re-reads and finds its changes already reported.
 */

/** Commits tried before a sync or mutation update gives up (each after another writer's commit). */
const MAX_ATTEMPTS = 4;
/** How long a mutation's answer waits for the index to take it in. */
const MUTATION_WAIT_MS = 1000;

export interface SyncOptions {
  /** The background sync's lease on the unit (fencing); null for an on-demand fill. */
  readonly lease: Lease | null;
  readonly now: () => number;
}

export type SyncOutcome =
  | {
      readonly status: 'committed';
      /** The unit's first indexing: a baseline, no events. */
      readonly baseline: boolean;
      readonly entry: IndexedOrganization;
      readonly events: readonly ConnectionEvent[];
    }
  /** The entry is newer than this listing (a mutation or another writer since it was asked for): nothing written. */
  | { readonly status: 'stale' }
  /** The lease was lost, or other writers kept committing first: nothing written (the next sync tries again). */
  | { readonly status: 'conflict' };

const SYNC: ConnectionEventSource = { kind: 'SYNC' };

/** Lists one unit at its vendor and commits the listing and the changes since the indexed one. */
export async function syncOrganization(
  adapter: VendorAdapter,
  store: ConnectionIndexStore,
  unit: SyncUnit,
  options: SyncOptions,
): Promise<SyncOutcome> {
  const askedAt = options.now();
  const listing = indexOrder(await adapter.listConnections(unit.organizationId));
  const syncedAt = new Date(askedAt).toISOString();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [entry] = await store.read(unit.tenantId, [unit]);
    if (entry && Date.parse(entry.syncedAt) > askedAt) return { status: 'stale' };
    const time = new Date(options.now()).toISOString();
    const events = entry ? diffConnections(entry.connections, listing, { unit, time, source: SYNC }) : [];
    const result = await store.commit(unit, {
      expectedVersion: entry?.version ?? null,
      syncedAt,
      connections: listing,
      events,
      lease: options.lease,
    });
    if (result.status === 'committed') {
      const { version } = result;
      const committed = { vendor: unit.vendor, organizationId: unit.organizationId, version, syncedAt };
      return {
        status: 'committed',
        baseline: !entry,
        entry: { ...committed, connections: listing },
        events: result.events,
      };
    }
    // A lost lease never comes back within this sync: the unit is someone else's now.
    if (options.lease) return { status: 'conflict' };
  }
  return { status: 'conflict' };
}

/**
 * The units' entries, indexing (as a baseline, through the adapter) any never
 * indexed: what a read served from the index does for a cold unit.
 */
export async function readOrIndex(
  adapters: ReadonlyMap<Vendor, VendorAdapter>,
  store: ConnectionIndexStore,
  tenantId: string,
  units: readonly Omit<SyncUnit, 'tenantId'>[],
  now: () => number,
): Promise<IndexedOrganization[]> {
  const entries = await store.read(tenantId, units);
  return Promise.all(
    entries.map(async (entry, i) => {
      if (entry) return entry;
      const unit = { tenantId, ...units[i]! };
      const adapter = adapters.get(unit.vendor);
      if (!adapter) throw new Error(`No ${unit.vendor} adapter for tenant ${tenantId}`);
      const outcome = await syncOrganization(adapter, store, unit, { lease: null, now });
      if (outcome.status === 'committed') return outcome.entry;
      // Someone else indexed it meanwhile: theirs is as fresh.
      const [again] = await store.read(tenantId, [units[i]!]);
      if (!again) throw new Error(`The ${unit.vendor} organization ${unit.organizationId} could not be indexed`);
      return again;
    }),
  );
}

/** What a mutation changed in one connection, as the mutation use case knows it. */
export interface MutatedConnection {
  readonly vendor: Vendor;
  readonly organizationId: string;
  /** The connection's key, when the mutation named it (by ID) or the vendor returned it. */
  readonly key: string | null;
  /** The provider the mutation named (a disconnect by organization and provider), to find the connection by. */
  readonly provider?: string | undefined;
  /** The connection as the mutation's answer has it; null when it is gone. */
  readonly after: ConnectionModel | null;
}

/** The index as one request's mutations see it (src/domain/mutations.ts). */
export interface MutationIndex {
  /** After a real, applied mutation: the unit's entry updated at once, with one MUTATION event. Never throws. */
  afterMutation(operation: string, change: MutatedConnection): Promise<void>;
}

/**
 * A request's MutationIndex. The unit is listed again (the write invalidated
 * its cached reads), so the entry holds what the vendor now lists; the
 * mutated connection's change is the MUTATION event (UPDATED when the listing
 * shows none), anything else that changed meanwhile a SYNC event. A unit not
 * yet indexed is left alone: its first sync takes the mutation in as part of
 * its baseline.
 */
export function mutationIndex(options: {
  readonly store: ConnectionIndexStore;
  readonly adapters: ReadonlyMap<Vendor, VendorAdapter>;
  readonly tenantId: string;
  readonly actor: string | null;
  readonly requestId: string;
  readonly now: () => number;
  /** When the request began (on `now`'s clock): a sync asked for since may already have reported its change. */
  readonly startedAt: number;
  /** Told when the entry could not be updated (the next sync reports the change instead). */
  readonly onError: (error: unknown) => void;
}): MutationIndex {
  const { store, tenantId, now } = options;
  const update = async (operation: string, change: MutatedConnection) => {
    const unit: SyncUnit = { tenantId, vendor: change.vendor, organizationId: change.organizationId };
    const source: ConnectionEventSource = {
      kind: 'MUTATION',
      operation,
      actor: options.actor,
      requestId: options.requestId,
    };
    try {
      const adapter = options.adapters.get(unit.vendor);
      if (!adapter || !(await store.read(tenantId, [unit]))[0]) return;
      const askedAt = now();
      const listing = indexOrder(await adapter.listConnections(unit.organizationId));
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const [entry] = await store.read(tenantId, [unit]);
        if (!entry) return;
        const time = new Date(now()).toISOString();
        const result = await store.commit(unit, {
          expectedVersion: entry.version,
          syncedAt: new Date(Math.max(askedAt, Date.parse(entry.syncedAt))).toISOString(),
          connections: listing,
          events: mutationEvents(entry, listing, change, { unit, time, source }, options.startedAt),
          lease: null,
        });
        if (result.status === 'committed') return;
      }
      options.onError(new Error(`The index entry of ${unit.vendor} ${unit.organizationId} kept changing`));
    } catch (error) {
      options.onError(error);
    }
  };
  return {
    afterMutation(operation, change) {
      // A slow Redis or vendor delays the mutation's answer this long at most; the update then goes on alone.
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, MUTATION_WAIT_MS)).unref());
      return Promise.race([update(operation, change).finally(() => clearTimeout(timer)), waited]);
    },
  };
}

/** Private: the diff of a listing taken after a mutation, its mutated connection's event marked as the mutation's. */
function mutationEvents(
  entry: IndexedOrganization,
  after: readonly ConnectionModel[],
  change: MutatedConnection,
  context: DiffContext,
  startedAt: number,
): ConnectionEventInput[] {
  const before = entry.connections;
  const events = diffConnections(before, after, { ...context, source: SYNC });
  const key = change.key ?? change.after?.key ?? findBefore(before, change)?.key ?? null;
  const mine = key === null ? (events.length === 1 ? 0 : -1) : events.findIndex((e) => e.connectionKey === key);
  if (mine >= 0) return events.map((e, i) => (i === mine ? { ...e, source: context.source } : e));
  // A sync asked for since the request began may have reported the change already: once is the rule.
  if (key === null || Date.parse(entry.syncedAt) >= startedAt) return events;
  // The listing shows no change in it (a Supervity action disconnected): an UPDATED event says what was done.
  const was = before.find((c) => c.key === key) ?? null;
  const is = after.find((c) => c.key === key) ?? null;
  return was || is ? [...events, mutationEvent(was, is, key, context)] : events;
}

/** Private: the indexed connection a disconnect by organization and provider named. */
function findBefore(connections: readonly ConnectionModel[], change: MutatedConnection): ConnectionModel | null {
  const named = connections.filter((c) => change.provider !== undefined && c.provider.slug === change.provider);
  return named.length === 1 ? named[0]! : null;
}
