import { createRedisClient } from './redis-client.js';

/**
 * The audit trail's append-only stores (the domain's AuditStore port,
 * src/domain/audit.ts): a Redis Stream per partition (tenant) when Redis is
 * configured, hash-tagged by partition so a Cluster keeps each one in one slot,
 * trimmed on every append by count (XADD MAXLEN) and age (XTRIM MINID); bounded
 * memory otherwise, with the same retention. Entry ids are stream ids
 * (`<ms>-<seq>`), newest first in reads, and serve as cursors.
 */

/** The fields a read filters on (the rest of an entry is carried as is). */
interface Filterable {
  readonly time: string;
  readonly kind: string;
  readonly actor: string | null;
  readonly operation: string | null;
  readonly targetIds: readonly string[];
}

interface Filter {
  readonly kinds?: readonly string[] | null | undefined;
  readonly actor?: string | null | undefined;
  readonly operation?: string | null | undefined;
  readonly targetId?: string | null | undefined;
  readonly since?: string | null | undefined;
  readonly until?: string | null | undefined;
}

interface ReadQuery {
  readonly filter: Filter;
  readonly first: number;
  readonly after: string | null;
}

export interface AuditRetention {
  /** Entries kept per partition. */
  readonly maxEntries: number;
  /** Seconds an entry is kept; 0 keeps entries until `maxEntries` pushes them out. */
  readonly maxAgeSeconds: number;
}

type StreamId = readonly [ms: number, seq: number];

const parseId = (id: string): StreamId | null => {
  const match = /^(\d{1,16})-(\d{1,16})$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : null;
};
const compareIds = (a: StreamId, b: StreamId) => a[0] - b[0] || a[1] - b[1];
const msOf = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

/** Private: whether an entry matches the filter's fields (time is matched on the id's range). */
function matches(event: Filterable, filter: Filter): boolean {
  if (filter.kinds?.length && !filter.kinds.includes(event.kind)) return false;
  if (filter.actor != null && event.actor !== filter.actor) return false;
  if (filter.operation != null && event.operation !== filter.operation) return false;
  if (filter.targetId != null && !event.targetIds.includes(filter.targetId)) return false;
  return true;
}

/** Private: the newest id a read may return (exclusive bound), from the cursor and `until`. */
function upperBound(query: ReadQuery): StreamId | null {
  const after = query.after === null ? null : parseId(query.after);
  const until = msOf(query.filter.until);
  const untilId: StreamId | null = until === null ? null : [until, 0];
  if (!after) return untilId;
  if (!untilId) return after;
  return compareIds(after, untilId) < 0 ? after : untilId;
}

export function createMemoryAuditStore<E extends Filterable>(retention: AuditRetention, now: () => number = Date.now) {
  const partitions = new Map<string, { id: StreamId; event: E }[]>();
  let last: StreamId = [0, 0];
  const prune = (entries: { id: StreamId }[]) => {
    const excess = entries.length - retention.maxEntries;
    if (excess > 0) entries.splice(0, excess);
    if (retention.maxAgeSeconds > 0) {
      const oldest = now() - retention.maxAgeSeconds * 1000;
      const keep = entries.findIndex((entry) => entry.id[0] >= oldest);
      entries.splice(0, keep === -1 ? entries.length : keep);
    }
  };
  return {
    async append(partition: string, event: E): Promise<void> {
      const ms = now();
      last = ms > last[0] ? [ms, 0] : [last[0], last[1] + 1];
      const entries = partitions.get(partition) ?? [];
      partitions.set(partition, entries);
      entries.push({ id: last, event });
      prune(entries);
    },
    async read(partition: string, query: ReadQuery) {
      const entries = partitions.get(partition) ?? [];
      prune(entries);
      const bound = upperBound(query);
      const since = msOf(query.filter.since);
      const found: (E & { id: string })[] = [];
      for (let i = entries.length - 1; i >= 0 && found.length <= query.first; i--) {
        const { id, event } = entries[i]!;
        if (bound && compareIds(id, bound) >= 0) continue;
        if (since !== null && id[0] < since) break;
        if (matches(event, query.filter)) found.push({ ...event, id: `${id[0]}-${id[1]}` });
      }
      return page(found, query.first);
    },
    async close(): Promise<void> {},
  };
}

function page<T extends { id: string }>(found: T[], first: number) {
  const nodes = found.slice(0, first);
  return { nodes, endCursor: nodes.at(-1)?.id ?? null, hasNextPage: found.length > first };
}

export interface RedisAuditStoreOptions {
  readonly url?: string | undefined;
  readonly clusterNodes?: readonly string[] | undefined;
  readonly commandTimeoutMs: number;
  readonly retention: AuditRetention;
}

/** Entries read per XREVRANGE while a filter skips some. */
const SCAN_BATCH = 200;

export const auditStreamKey = (partition: string) => `junction:audit:v1:{${partition}}`;

export function createRedisAuditStore<E extends Filterable>(options: RedisAuditStoreOptions) {
  const { retention, commandTimeoutMs } = options;
  const { client, ready } = createRedisClient({
    url: options.url,
    clusterNodes: options.clusterNodes,
    commandTimeoutMs,
  });

  return {
    /** Resolves once connected, or after a second: start-up waits for it, never longer. */
    ready: () => ready,
    async append(partition: string, event: E): Promise<void> {
      const key = auditStreamKey(partition);
      const pipeline = client.pipeline().xadd(key, 'MAXLEN', retention.maxEntries, '*', 'e', JSON.stringify(event));
      // Stream ids are Redis' clock, so their age is measured on the wall clock (not a test's clock).
      if (retention.maxAgeSeconds > 0) pipeline.xtrim(key, 'MINID', Date.now() - retention.maxAgeSeconds * 1000);
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error)?.[0];
      if (failure) throw failure;
    },
    async read(partition: string, query: ReadQuery) {
      const key = auditStreamKey(partition);
      const bound = upperBound(query);
      const since = msOf(query.filter.since);
      let end = bound ? `(${bound[0]}-${bound[1]}` : '+';
      const start = since === null ? '-' : `${since}-0`;
      const found: (E & { id: string })[] = [];
      for (;;) {
        const batch = await client.xrevrange(key, end, start, 'COUNT', SCAN_BATCH);
        for (const [id, fields] of batch) {
          const event = JSON.parse(fields[1] ?? '{}') as E;
          if (matches(event, query.filter)) found.push({ ...event, id });
          if (found.length > query.first) return page(found, query.first);
        }
        if (batch.length < SCAN_BATCH) return page(found, query.first);
        end = `(${batch.at(-1)![0]}`;
      }
    },
    async close(): Promise<void> {
      client.disconnect();
    },
  };
}
