import type {
  ConnectionEvent,
  ConnectionIndexStore,
  IndexCount,
  IndexedOrganization,
  SyncUnit,
} from '../domain/connection-index.js';
import type { ConnectionModel } from '../domain/models.js';
import type { FencingLeaseStore } from './lease-store.js';

/**
 * The connection index in memory (the domain's ConnectionIndexStore port), for
 * a single instance: per tenant, one entry per unit, counts by vendor, status
 * and provider, and a bounded event log whose ids have the Redis Stream form
 * `<ms>-<seq>`. The Redis store (redis-connection-index-store.ts) behaves the same.
 */

export interface EventRetention {
  /** Events kept per tenant. */
  readonly maxEntries: number;
  /** Seconds an event is kept; 0 keeps events until `maxEntries` pushes them out. */
  readonly maxAgeSeconds: number;
}

export type StreamId = readonly [ms: number, seq: number];

/** Private to the stores: a `<ms>-<seq>` id; a malformed cursor is the caller's error. */
export function parseEventId(id: string): StreamId {
  const match = /^(\d{1,16})-(\d{1,16})$/.exec(id);
  if (!match) throw new RangeError(`Not an event id: ${id.slice(0, 40)}`);
  return [Number(match[1]), Number(match[2])];
}
export const compareIds = (a: StreamId, b: StreamId) => a[0] - b[0] || a[1] - b[1];

/** The key a count is kept under (a JSON array: vendor, status, provider slug). */
export function countsOf(connections: readonly ConnectionModel[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of connections) {
    const key = JSON.stringify([c.vendor, c.status, c.provider.slug]);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
export function toIndexCounts(counts: Iterable<[string, number]>): IndexCount[] {
  const result: IndexCount[] = [];
  for (const [key, count] of counts) {
    if (count <= 0) continue;
    const [vendor, status, providerSlug] = JSON.parse(key) as [IndexCount['vendor'], IndexCount['status'], string];
    result.push({ vendor, status, providerSlug, count });
  }
  return result.sort((a, b) => (a.vendor + a.status + a.providerSlug < b.vendor + b.status + b.providerSlug ? -1 : 1));
}

export const unitKey = (unit: Omit<SyncUnit, 'tenantId'>) => `${unit.vendor}:${unit.organizationId}`;

interface TenantIndex {
  readonly entries: Map<string, IndexedOrganization>;
  readonly counts: Map<string, number>;
  readonly log: { id: StreamId; event: ConnectionEvent }[];
  /** The newest id retention removed: a cursor older than it has missed events. */
  dropped: StreamId | null;
}

export function createMemoryConnectionIndexStore(options: {
  readonly retention: EventRetention;
  /** Checks a commit's lease (fencing). */
  readonly leases: FencingLeaseStore;
  readonly now?: () => number;
}): ConnectionIndexStore {
  const { retention, leases } = options;
  const now = options.now ?? Date.now;
  const tenants = new Map<string, TenantIndex>();
  let last: StreamId = [0, 0];
  const tenant = (tenantId: string) => {
    let index = tenants.get(tenantId);
    if (!index) tenants.set(tenantId, (index = { entries: new Map(), counts: new Map(), log: [], dropped: null }));
    return index;
  };
  const prune = (index: TenantIndex) => {
    let drop = Math.max(0, index.log.length - retention.maxEntries);
    if (retention.maxAgeSeconds > 0) {
      const oldest = now() - retention.maxAgeSeconds * 1000;
      while (drop < index.log.length && index.log[drop]!.id[0] < oldest) drop += 1;
    }
    if (drop === 0) return;
    index.dropped = index.log[drop - 1]!.id;
    index.log.splice(0, drop);
  };

  return {
    async read(tenantId, units) {
      const index = tenants.get(tenantId);
      return units.map((unit) => index?.entries.get(unitKey(unit)) ?? null);
    },
    async commit(unit, commit) {
      if (commit.lease && !(await leases.holds(commit.lease))) return { status: 'conflict' };
      const index = tenant(unit.tenantId);
      const key = unitKey(unit);
      const current = index.entries.get(key) ?? null;
      if ((current?.version ?? null) !== commit.expectedVersion) return { status: 'conflict' };
      for (const [k, n] of Object.entries(countsOf(current?.connections ?? [])))
        index.counts.set(k, (index.counts.get(k) ?? 0) - n);
      for (const [k, n] of Object.entries(countsOf(commit.connections)))
        index.counts.set(k, (index.counts.get(k) ?? 0) + n);
      const version = (current?.version ?? 0) + 1;
      index.entries.set(key, {
        vendor: unit.vendor,
        organizationId: unit.organizationId,
        version,
        syncedAt: commit.syncedAt,
        connections: commit.connections,
      });
      const events = commit.events.map((input) => {
        const ms = now();
        last = ms > last[0] ? [ms, 0] : [last[0], last[1] + 1];
        const event: ConnectionEvent = { ...input, id: `${last[0]}-${last[1]}` };
        index.log.push({ id: last, event });
        return event;
      });
      prune(index);
      return { status: 'committed', version, events };
    },
    async counts(tenantId) {
      return toIndexCounts(tenants.get(tenantId)?.counts ?? []);
    },
    async readEvents(tenantId, { after, limit }) {
      const cursor = after === null ? null : parseEventId(after);
      const index = tenants.get(tenantId);
      if (!index) return { events: [], trimmed: false };
      prune(index);
      const trimmed = cursor !== null && index.dropped !== null && compareIds(cursor, index.dropped) < 0;
      // The first event after the cursor, by binary search (ids only grow along the log).
      let [low, high] = [0, index.log.length];
      while (cursor !== null && low < high) {
        const mid = (low + high) >> 1;
        if (compareIds(index.log[mid]!.id, cursor) > 0) high = mid;
        else low = mid + 1;
      }
      return { events: index.log.slice(low, low + limit).map((entry) => entry.event), trimmed };
    },
    async lastEventId(tenantId) {
      return tenants.get(tenantId)?.log.at(-1)?.event.id ?? null;
    },
    async close() {},
  };
}
