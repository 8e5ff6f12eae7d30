import type { DeliveryRecord, StoredWebhookEndpoint, WebhookStore } from '../domain/webhook-deliveries.js';
import { createRedisClient, tenantKeyPrefix, type RedisClientOptions } from './redis-client.js';
import { isFinished, matchesFilter, type DeliveryRetention } from './webhook-store.js';

/**
 * Webhook state on Redis or Redis Cluster, shared by every instance. Each
 * tenant's keys carry the tenant as hash tag, so the Lua scripts that decide
 * who does what run atomically on one node: a delivery is created once
 * (whoever races), claimed by one instance at a time, and its outcome written
 * only under the claim that made the attempt. A finished delivery expires
 * after the retention; the listing drops ids whose record expired.
 */

const prefix = (tenantId: string) => `${tenantKeyPrefix(tenantId)}webhooks:v1:`;
const endpointsKey = (t: string) => `${prefix(t)}endpoints`;
const cursorKey = (t: string) => `${prefix(t)}cursor`;
/** Ids of unfinished deliveries by the epoch ms their next attempt is due. */
const dueKey = (t: string) => `${prefix(t)}due`;
/** Ids of every kept delivery by creation order (the listing's order and cursor). */
const listKey = (t: string) => `${prefix(t)}list`;
const seqKey = (t: string) => `${prefix(t)}seq`;
/** A delivery: record `r` (JSON), claim counter `c`, claimed until `u` (epoch ms). */
const deliveryKey = (t: string, id: string) => `${prefix(t)}d:${id}`;

const ADD_ENDPOINT = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1`;

/** Removes the endpoint and its unfinished deliveries (ARGV[2]: the ids' suffix). */
const DELETE_ENDPOINT = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local suffix = ARGV[2]
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if string.sub(id, -#suffix) == suffix then
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('DEL', ARGV[3] .. id)
  end
end
return 1`;

const MOVE_CURSOR = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** KEYS: due, list, seq, then one delivery key per record; ARGV: now, max entries, key prefix, then id, record pairs. */
const CREATE = `
local now = tonumber(ARGV[1])
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local id = ARGV[2 * (i - 4) + 4]
    local seq = redis.call('INCR', KEYS[3])
    redis.call('HSET', KEYS[i], 'r', ARGV[2 * (i - 4) + 5], 'c', 0, 'u', 0)
    redis.call('ZADD', KEYS[1], now, id)
    redis.call('ZADD', KEYS[2], seq, id)
  end
end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if excess > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess * 2)) do
    if excess <= 0 then break end
    if not redis.call('ZSCORE', KEYS[1], id) then
      redis.call('ZREM', KEYS[2], id)
      redis.call('DEL', ARGV[3] .. id)
      excess = excess - 1
    end
  end
end
return 1`;

/** KEYS: delivery, due; ARGV: id, now, claim ms. Returns {claim, record} or nil. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local now = tonumber(ARGV[2])
if tonumber(redis.call('HGET', KEYS[1], 'u')) > now then return false end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not due or tonumber(due) > now then return false end
local claim = redis.call('HINCRBY', KEYS[1], 'c', 1)
local claimedUntil = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'u', claimedUntil)
-- Not due for others while claimed; due again if this claim expires (its instance died mid-attempt).
redis.call('ZADD', KEYS[2], claimedUntil, ARGV[1])
return {claim, redis.call('HGET', KEYS[1], 'r')}`;

/** KEYS: delivery, due; ARGV: id, claim, record, next attempt ('' when finished), retention ms. */
const FINISH = `
if redis.call('HGET', KEYS[1], 'c') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[3], 'u', 0)
if ARGV[4] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
else
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end
return 1`;

/** KEYS: delivery, due, list, seq; ARGV: id, record, now. */
const REDELIVER = `
local now = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 1 then
  if tonumber(redis.call('HGET', KEYS[1], 'u')) > now then return 0 end
  redis.call('HINCRBY', KEYS[1], 'c', 1)
  redis.call('HSET', KEYS[1], 'r', ARGV[2], 'u', 0)
  redis.call('PERSIST', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'r', ARGV[2], 'c', 0, 'u', 0)
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
end
redis.call('ZADD', KEYS[2], now, ARGV[1])
return 1`;

const LIST_CHUNK = 200;

export function createRedisWebhookStore(
  options: RedisClientOptions & { readonly retention: DeliveryRetention },
): WebhookStore & { ready(): Promise<void> } {
  const { client, ready } = createRedisClient(options);
  const { retention } = options;
  const script = async (lua: string, keys: readonly string[], ...args: (string | number)[]) =>
    client.eval(lua, keys.length, ...keys, ...args);

  return {
    ready: () => ready,
    async listEndpoints(tenantId) {
      const all = await client.hvals(endpointsKey(tenantId));
      return all
        .map((json) => JSON.parse(json) as StoredWebhookEndpoint)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },
    async addEndpoint(tenantId, endpoint, max) {
      return (await script(ADD_ENDPOINT, [endpointsKey(tenantId)], max, endpoint.id, JSON.stringify(endpoint))) === 1;
    },
    async deleteEndpoint(tenantId, endpointId) {
      const keys = [endpointsKey(tenantId), dueKey(tenantId), listKey(tenantId)];
      return (await script(DELETE_ENDPOINT, keys, endpointId, `:${endpointId}`, deliveryKey(tenantId, ''))) === 1;
    },
    async readCursor(tenantId) {
      return (await client.get(cursorKey(tenantId))) || null;
    },
    async moveCursor(tenantId, from, to) {
      return (await script(MOVE_CURSOR, [cursorKey(tenantId)], from ?? '', to)) === 1;
    },
    async createDeliveries(tenantId, records, now) {
      if (records.length === 0) return;
      const keys = [dueKey(tenantId), listKey(tenantId), seqKey(tenantId)];
      const args: (string | number)[] = [now, retention.maxEntries, deliveryKey(tenantId, '')];
      for (const record of records) {
        keys.push(deliveryKey(tenantId, record.id));
        args.push(record.id, JSON.stringify(record));
      }
      await script(CREATE, keys, ...args);
    },
    async dueDeliveries(tenantId, now, limit) {
      return client.zrangebyscore(dueKey(tenantId), '-inf', now, 'LIMIT', 0, limit);
    },
    async claim(tenantId, id, now, claimMs) {
      const reply = (await script(CLAIM, [deliveryKey(tenantId, id), dueKey(tenantId)], id, now, claimMs)) as
        [number, string] | null;
      return reply ? { claim: Number(reply[0]), record: JSON.parse(reply[1]) as DeliveryRecord } : null;
    },
    async finish(tenantId, claimed, next) {
      const id = claimed.record.id;
      const keys = [deliveryKey(tenantId, id), dueKey(tenantId)];
      const due = isFinished(next) || next.nextAttemptAt === null ? '' : next.nextAttemptAt;
      const written = await script(
        FINISH,
        keys,
        id,
        String(claimed.claim),
        JSON.stringify(next),
        due,
        retention.maxAgeSeconds * 1000,
      );
      return written === 1;
    },
    async redeliver(tenantId, record, now) {
      const keys = [deliveryKey(tenantId, record.id), dueKey(tenantId), listKey(tenantId), seqKey(tenantId)];
      return (await script(REDELIVER, keys, record.id, JSON.stringify(record), now)) === 1;
    },
    async getDelivery(tenantId, id) {
      const json = await client.hget(deliveryKey(tenantId, id), 'r');
      return json ? (JSON.parse(json) as DeliveryRecord) : null;
    },
    async listDeliveries(tenantId, { filter, first, after }) {
      const nodes: DeliveryRecord[] = [];
      let endCursor: string | null = null;
      let hasNextPage = false;
      let max = after === null ? '+inf' : `(${after}`;
      for (;;) {
        const chunk = await client.zrevrangebyscore(
          listKey(tenantId),
          max,
          '-inf',
          'WITHSCORES',
          'LIMIT',
          0,
          LIST_CHUNK,
        );
        if (chunk.length === 0) break;
        const ids = chunk.filter((_, i) => i % 2 === 0);
        const seqs = chunk.filter((_, i) => i % 2 === 1);
        const pipeline = client.pipeline();
        for (const id of ids) pipeline.hget(deliveryKey(tenantId, id), 'r');
        const replies = (await pipeline.exec()) ?? [];
        for (let i = 0; i < ids.length; i++) {
          const json = replies[i]?.[1] as string | null | undefined;
          // Expired (retention): its id goes from the listing too.
          if (!json) {
            void client.zrem(listKey(tenantId), ids[i]!).catch(() => {});
            continue;
          }
          const record = JSON.parse(json) as DeliveryRecord;
          if (!matchesFilter(record, filter)) continue;
          if (nodes.length === first) {
            hasNextPage = true;
            break;
          }
          nodes.push(record);
          endCursor = seqs[i]!;
        }
        if (hasNextPage || ids.length < LIST_CHUNK) break;
        max = `(${seqs.at(-1)}`;
      }
      return { nodes, endCursor, hasNextPage };
    },
    async close() {
      client.disconnect();
    },
  };
}
