import type {
  ConnectionEvent,
  ConnectionEventInput,
  ConnectionIndexStore,
  SyncUnit,
} from '../domain/connection-index.js';
import { connectionGlobalId } from '../domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS } from '../domain/models.js';
import {
  compareIds,
  countsOf,
  parseEventId,
  toIndexCounts,
  unitKey,
  type EventRetention,
  type StreamId,
} from './connection-index-store.js';
import { leaseKey, leaseValue } from './lease-store.js';
import { createRedisClient, tenantKeyPrefix, type RedisClientOptions } from './redis-client.js';

/**
 * The connection index on Redis or Redis Cluster. Every key of a tenant
 * carries the tenant as its hash tag, so one Lua script commits a unit
 * atomically on one node: it checks the lease (fencing) and the entry's
 * version (compare-and-set), writes the entry, moves the tenant's counts and
 * appends the events to the tenant's Stream, trimmed by count (MAXLEN ~) and
 * age (MINID ~). Stream ids are the events' ids and cursors.
 */

const indexPrefix = (tenantId: string) => `${tenantKeyPrefix(tenantId)}index:v1:`;
/** A unit's entry: a hash of version `v`, syncedAt `s`, connections `d` (JSON) and their counts `c` (JSON). */
const entryKey = (tenantId: string, unit: Omit<SyncUnit, 'tenantId'>) => `${indexPrefix(tenantId)}org:${unitKey(unit)}`;
const countsKey = (tenantId: string) => `${indexPrefix(tenantId)}counts`;
export const eventStreamKey = (tenantId: string) => `${indexPrefix(tenantId)}events`;

const COMMIT = `
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if current then return false end
elseif current ~= ARGV[1] then return false end
if ARGV[2] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[2] then return false end
local old = redis.call('HGET', KEYS[1], 'c')
if old then
  for k, n in pairs(cjson.decode(old)) do
    if redis.call('HINCRBY', KEYS[2], k, -n) <= 0 then redis.call('HDEL', KEYS[2], k) end
  end
end
for k, n in pairs(cjson.decode(ARGV[5])) do redis.call('HINCRBY', KEYS[2], k, n) end
local version = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 'v', version, 's', ARGV[3], 'd', ARGV[4], 'c', ARGV[5])
local ids = {}
for i = 8, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'e', ARGV[i])
end
if ARGV[7] ~= '' and #ids > 0 then redis.call('XTRIM', KEYS[3], 'MINID', '~', ARGV[7]) end
return {version, ids}`;

/** Private: an event as stored (its id is the Stream's), its connections without their global IDs as in an entry. */
type StoredEvent = Omit<ConnectionEventInput, 'before' | 'after'> & {
  readonly before: StoredConnection | null;
  readonly after: StoredConnection | null;
};
const encodeEvent = (event: ConnectionEventInput) =>
  JSON.stringify({
    ...event,
    before: event.before && storedForm(event.before),
    after: event.after && storedForm(event.after),
  } satisfies StoredEvent);
const decodeEvent = (id: string, fields: string[]): ConnectionEvent => {
  const event = JSON.parse(fields[fields.indexOf('e') + 1] ?? '{}') as StoredEvent;
  return { ...event, before: event.before && withId(event.before), after: event.after && withId(event.after), id };
};

/** Private: a field of XINFO STREAM's flat reply. */
function infoField(info: unknown, name: string): unknown {
  if (!Array.isArray(info)) return undefined;
  const at = info.indexOf(name);
  return at >= 0 ? info[at + 1] : undefined;
}

/**
 * Private: whether trimming removed events after the cursor. Redis keeps no id
 * of the newest trimmed entry (max-deleted-entry-id counts XDEL only), so a
 * cursor older than the oldest kept entry of a trimmed stream counts as missed
 * (a cursor on exactly the last trimmed entry too: a resync it did not need).
 */
function missedByTrimming(cursor: StreamId, info: unknown): boolean {
  const added = Number(infoField(info, 'entries-added') ?? 0);
  const length = Number(infoField(info, 'length') ?? 0);
  if (added <= length) return false;
  const first = infoField(info, 'first-entry') as [string, unknown] | null | undefined;
  if (first?.[0]) return compareIds(cursor, parseEventId(first[0])) < 0;
  return compareIds(cursor, parseEventId(String(infoField(info, 'last-generated-id') ?? '0-0'))) < 0;
}

export function createRedisConnectionIndexStore(
  options: RedisClientOptions & { readonly retention: EventRetention },
): ConnectionIndexStore & { ready(): Promise<void> } {
  const { client, ready } = createRedisClient(options);
  const { retention } = options;
  return {
    ready: () => ready,
    async read(tenantId, units) {
      if (units.length === 0) return [];
      const pipeline = client.pipeline();
      for (const unit of units) pipeline.hmget(entryKey(tenantId, unit), 'v', 's', 'd');
      const replies = (await pipeline.exec()) ?? [];
      return units.map((unit, i) => {
        const [error, reply] = replies[i] ?? [new Error('no reply')];
        if (error) throw error;
        const [version, syncedAt, data] = reply as (string | null)[];
        if (version == null || syncedAt == null || data == null) return null;
        const connections = withIds(JSON.parse(data) as StoredConnection[]);
        return {
          vendor: unit.vendor,
          organizationId: unit.organizationId,
          version: Number(version),
          syncedAt,
          connections,
        };
      });
    },
    async commit(unit, commit) {
      const { tenantId } = unit;
      const entry = entryKey(tenantId, unit);
      // Stream ids are Redis' clock, so their age is measured on the wall clock (not a test's clock).
      const minId = retention.maxAgeSeconds > 0 ? String(Date.now() - retention.maxAgeSeconds * 1000) : '';
      const reply = (await client.eval(
        COMMIT,
        4,
        entry,
        countsKey(tenantId),
        eventStreamKey(tenantId),
        commit.lease ? leaseKey(commit.lease.tenantId, commit.lease.name) : entry,
        commit.expectedVersion === null ? '' : String(commit.expectedVersion),
        commit.lease ? leaseValue(commit.lease) : '',
        commit.syncedAt,
        JSON.stringify(commit.connections.map(storedForm)),
        JSON.stringify(countsOf(commit.connections)),
        retention.maxEntries,
        minId,
        ...commit.events.map(encodeEvent),
      )) as [number, string[]] | null;
      if (!reply) return { status: 'conflict' };
      const [version, ids] = reply;
      return {
        status: 'committed',
        version: Number(version),
        events: commit.events.map((event, i) => ({ ...event, id: ids[i]! })),
      };
    },
    async counts(tenantId) {
      return toIndexCounts(Object.entries(await client.hgetall(countsKey(tenantId))).map(([k, n]) => [k, Number(n)]));
    },
    async readEvents(tenantId, { after, limit }) {
      const cursor = after === null ? null : parseEventId(after);
      const key = eventStreamKey(tenantId);
      const pipeline = client.pipeline().xrange(key, after === null ? '-' : `(${after}`, '+', 'COUNT', limit);
      if (cursor) pipeline.exists(key).xinfo('STREAM', key);
      const replies = (await pipeline.exec()) ?? [];
      const [[rangeError, range], exists, info] = replies as [[Error | null, unknown], ...[Error | null, unknown][]];
      if (rangeError) throw rangeError;
      const events = (range as [string, string[]][]).map(([id, fields]) => decodeEvent(id, fields));
      if (!cursor || !exists?.[1]) return { events, trimmed: false };
      if (info?.[0]) throw info[0];
      return { events, trimmed: missedByTrimming(cursor, info?.[1]) };
    },
    async lastEventId(tenantId) {
      const [newest] = await client.xrevrange(eventStreamKey(tenantId), '+', '-', 'COUNT', 1);
      return newest?.[0] ?? null;
    },
    async close() {
      client.disconnect();
    },
  };
}

/**
 * An entry's (and an event's) connections are stored without their global IDs, which their vendor, organization and key make again on
 * read: an ID is about a tenth of a stored connection. Entries stored before models carried IDs read the same way. A connection
 * without actions (every vendor's but Supervity's) is stored without its empty list and read back with NO_ACTIONS, as are the
 * entries stored before models carried actions.
 */
type StoredConnection = Omit<ConnectionModel, 'id' | 'actions'> & { readonly actions?: ConnectionModel['actions'] };
const storedForm = ({ id: _id, actions, ...stored }: ConnectionModel): StoredConnection =>
  actions.length > 0 ? { ...stored, actions } : stored;
const withId = (c: StoredConnection): ConnectionModel => ({
  id: connectionGlobalId(c.vendor, c.organizationId, c.key),
  ...c,
  actions: c.actions ?? NO_ACTIONS,
});
const withIds = (stored: StoredConnection[]): ConnectionModel[] => stored.map(withId);
