import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { CacheFaultEvent, CacheObserver } from './cache-events.js';
import type { CacheEntry, CacheStore } from './cache-store.js';
import { CACHE_KEY_PREFIX } from './keys.js';
import {
  allNear,
  announceEverything,
  createNearCache,
  deleteAnnounced,
  getNear,
  setAnnounced,
  setIfAbsentAnnounced,
} from './near-cache.js';
import { createRedisClient, isCluster } from './redis-client.js';
import { CacheTimeoutError, withinDeadline } from './deadline.js';

/**
 * The shared cache on Redis, single node or Redis Cluster, through ioredis.
 *
 * Redis trouble must never fail or slow a query, so: no offline queue (a
 * command while disconnected fails at once instead of waiting for a
 * reconnect), a command timeout of tens of milliseconds (ioredis' defaults
 * would wait 10 to 70 seconds on a dead server), and every fault resolves as a
 * miss or no-op. Faults are counted (observer) and logged at most once per
 * interval; ioredis keeps reconnecting in the background, and the first
 * command that succeeds again logs the recovery.
 */

export interface RedisCacheOptions {
  /** redis:// or rediss:// URL of a single node. */
  readonly url?: string;
  /** host:port of some Cluster nodes; takes precedence over `url`. */
  readonly clusterNodes?: readonly string[];
  /** Longest a cache command may take before it counts as a miss. */
  readonly commandTimeoutMs: number;
  /** Shortest time between two "Redis unavailable" log lines. @default 30000 */
  readonly faultLogIntervalMs?: number;
  readonly logger: Logger;
  readonly observer?: CacheObserver;
  /** Bytes of values kept in process (near-cache.ts; single node only); 0 or absent: none. */
  readonly nearCacheMaxBytes?: number;
}

/** Private: the Redis Cluster hash tag of a key (the part between the first `{` and the next `}`), or the key. */
function slotGroup(key: string): string {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Private: groups keys by hash tag, keeping each key's index, so every multi-key command stays in one slot. */
function bySlotGroup(keys: readonly string[]): Map<string, { key: string; index: number }[]> {
  const groups = new Map<string, { key: string; index: number }[]>();
  keys.forEach((key, index) => {
    const tag = slotGroup(key);
    const group = groups.get(tag);
    if (group) group.push({ key, index });
    else groups.set(tag, [{ key, index }]);
  });
  return groups;
}

export function createRedisCache(options: RedisCacheOptions): CacheStore {
  const { commandTimeoutMs, logger, observer } = options;
  const faultLogIntervalMs = options.faultLogIntervalMs ?? 30_000;
  const timeouts = {
    // Only a backstop that empties ioredis' queue on a hung server: the bound a query waits is withinDeadline's.
    commandTimeoutMs: Math.max(1000, commandTimeoutMs * 20),
    connectTimeoutMs: Math.max(1000, commandTimeoutMs * 10),
  };
  const { client } = createRedisClient({ url: options.url, clusterNodes: options.clusterNodes, ...timeouts });

  // A single node announces every change of a key an instance may keep near; a cluster neither keeps nor announces.
  const single = isCluster(client) ? undefined : client;
  const near =
    single && options.url && (options.nearCacheMaxBytes ?? 0) > 0
      ? createNearCache({
          subscriber: createRedisClient({ url: options.url, ...timeouts, subscriber: true }).client as Redis,
          maxBytes: options.nearCacheMaxBytes!,
        })
      : undefined;

  let failing = false;
  let lastLoggedAt = 0;
  let suppressed = 0;
  const noteFault = (operation: CacheFaultEvent['operation'], error: unknown) => {
    const reason: CacheFaultEvent['reason'] =
      error instanceof CacheTimeoutError || /timed out/i.test(String((error as Error)?.message))
        ? 'timeout'
        : client.status !== 'ready'
          ? 'unavailable'
          : 'error';
    failing = true;
    observer?.onFault?.({ operation, reason });
    const now = Date.now();
    if (now - lastLoggedAt >= faultLogIntervalMs) {
      lastLoggedAt = now;
      // The message only: a Redis error can echo a command, and so a key, but never a value or credential.
      logger.warn(
        { operation, reason, error: (error as Error)?.message, faultsSinceLastLog: suppressed },
        'Redis cache unavailable: serving from upstream without caching',
      );
      suppressed = 0;
    } else suppressed += 1;
  };
  const noteSuccess = () => {
    if (!failing) return;
    failing = false;
    observer?.onRecovered?.();
    logger.info('Redis cache available again');
  };

  /** Private: runs one cache operation under the command timeout; a fault resolves to `fallback`. */
  async function guarded<T>(
    operation: CacheFaultEvent['operation'],
    fallback: T,
    run: () => Promise<T>,
    timeoutMs = commandTimeoutMs,
  ): Promise<T> {
    if (client.status !== 'ready') {
      noteFault(operation, new Error(`Redis connection is ${client.status}`));
      return fallback;
    }
    try {
      const result = await withinDeadline(run(), timeoutMs, Math.max(timeoutMs, timeouts.commandTimeoutMs));
      noteSuccess();
      return result;
    } catch (error) {
      noteFault(operation, error);
      return fallback;
    }
  }

  return {
    getMany: (keys) => {
      if (keys.length === 0) return Promise.resolve([]);
      // Every value kept near: answered at once, as guarded would (Redis ready), without its deadline timer.
      const kept = single && near?.live && client.status === 'ready' ? allNear(near, keys) : undefined;
      if (kept) return (noteSuccess(), Promise.resolve(kept));
      const fallback = new Array<string | undefined>(keys.length).fill(undefined);
      if (single && near?.live) return guarded('get', fallback, () => getNear(single, near, keys));
      return guarded('get', fallback, async () => {
        const out = new Array<string | undefined>(keys.length).fill(undefined);
        // One MGET per hash tag: a request's keys share its tenant's tag, so this is one MGET per batch.
        await Promise.all(
          [...bySlotGroup(keys).values()].map(async (group) => {
            const values = await client.mget(...group.map((g) => g.key));
            group.forEach((g, i) => (out[g.index] = values[i] ?? undefined));
          }),
        );
        return out;
      });
    },

    setMany: (entries: readonly CacheEntry[]) =>
      entries.length === 0
        ? Promise.resolve(true)
        : guarded('set', false, async () => {
            if (single) return (await setAnnounced(single, entries, near), true);
            // One pipeline per hash tag (a cluster pipeline must stay on one node).
            await Promise.all(
              [...bySlotGroup(entries.map((e) => e.key)).values()].map(async (group) => {
                const pipeline = client.pipeline();
                for (const { index } of group) {
                  const { key, value, ttlSeconds } = entries[index]!;
                  pipeline.set(key, value, 'EX', ttlSeconds);
                }
                const results = (await pipeline.exec()) ?? [];
                const failed = results.find(([error]) => error);
                if (failed) throw failed[0]!;
              }),
            );
            return true;
          }),

    deleteMany: (keys) =>
      keys.length === 0
        ? Promise.resolve(true)
        : guarded('delete', false, async () => {
            if (single) return (await deleteAnnounced(single, keys, near), true);
            await Promise.all([...bySlotGroup(keys).values()].map((group) => client.del(...group.map((g) => g.key))));
            return true;
          }),

    setIfAbsent: ({ key, value, ttlSeconds }) =>
      guarded('setIfAbsent', true, async () =>
        single
          ? setIfAbsentAnnounced(single, { key, value, ttlSeconds }, near)
          : (await client.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK',
      ),

    claim: ({ key, value, ttlSeconds }) =>
      guarded('setIfAbsent', 'unavailable' as const, async () =>
        (await client.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK' ? ('claimed' as const) : ('taken' as const),
      ),

    readStrict: (key) =>
      guarded<{ readonly value: string | undefined } | 'unavailable'>('get', 'unavailable', async () => ({
        value: (await client.get(key)) ?? undefined,
      })),

    clear: () =>
      guarded(
        'clear',
        undefined,
        async () => {
          if (isCluster(client)) {
            // A master that restarted may have left the pool; the sweep must reach every master there is now.
            await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
          }
          const nodes: Redis[] = isCluster(client) ? client.nodes('master') : [client];
          await Promise.all(nodes.map((node) => clearNode(node)));
          // Every instance forgets what it kept near.
          if (single) await announceEverything(single, near);
        },
        // A sweep of the keyspace takes longer than one command; it is an operator's action, not a query's.
        Math.max(10_000, commandTimeoutMs),
      ),

    async close() {
      near?.close();
      client.disconnect();
    },
  };
}

/** Private: SCAN (never KEYS, which blocks the server) for Junction's keys on one node, and UNLINK them. */
async function clearNode(node: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', `${CACHE_KEY_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) {
      // One key per UNLINK: keys of different slots may not share a command in a cluster.
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      await pipeline.exec();
    }
  } while (cursor !== '0');
}
