import { hostname } from 'node:os';
import { createMemoryConnectionIndexStore } from '../cache/connection-index-store.js';
import { createMemoryLeaseStore, createRedisLeaseStore } from '../cache/lease-store.js';
import { createRedisConnectionIndexStore } from '../cache/redis-connection-index-store.js';
import type { Config } from '../config/config.js';
import type { ConnectionEvent, ConnectionIndexStore, LeaseStore } from '../domain/connection-index.js';
import { randomHex } from '../observability/random-ids.js';

/**
 * The connection index and its leases for one gateway instance: on Redis (or
 * Redis Cluster) when the cache is, so every instance shares them; in memory
 * otherwise (a single instance).
 */

export interface ConnectionIndex {
  readonly store: ConnectionIndexStore;
  readonly leases: LeaseStore;
  /** This instance's id, the owner of its leases. */
  readonly instanceId: string;
  /**
   * Told of the events this instance commits, as it commits them (a sync's, a mutation's): readers
   * here need not wait for their next poll. Other instances' events reach them through the log only.
   */
  onEvents(listener: EventsListener): () => void;
  close(): Promise<void>;
}

type EventsListener = (tenantId: string, events: readonly ConnectionEvent[]) => void;

/** Private: the store, telling `listeners` of every commit that appended events. */
function notifying(store: ConnectionIndexStore, listeners: Set<EventsListener>): ConnectionIndexStore {
  return {
    ...store,
    async commit(unit, commit) {
      const result = await store.commit(unit, commit);
      if (result.status === 'committed' && result.events.length > 0)
        for (const listener of listeners) {
          try {
            listener(unit.tenantId, result.events);
          } catch {
            // A listener's fault is its own: the commit happened, and the log has the events.
          }
        }
      return result;
    },
  };
}

export async function createConnectionIndex(config: Config, now?: () => number): Promise<ConnectionIndex> {
  const { redisUrl, redisClusterNodes } = config.cache;
  const { commandTimeoutMs, events: retention } = config.sync;
  const instanceId = `${hostname()}:${process.pid}:${randomHex(4)}`;
  const listeners = new Set<EventsListener>();
  const onEvents = (listener: EventsListener) => (listeners.add(listener), () => void listeners.delete(listener));
  if (redisUrl || redisClusterNodes?.length) {
    const target = { url: redisUrl, clusterNodes: redisClusterNodes, commandTimeoutMs };
    const store = createRedisConnectionIndexStore({ ...target, retention });
    const leases = createRedisLeaseStore({ ...target, owner: instanceId });
    // Bounded: a fresh instance's first sync round should not fail on a connection still being made.
    await Promise.all([store.ready(), leases.ready()]);
    return {
      store: notifying(store, listeners),
      leases,
      instanceId,
      onEvents,
      close: async () => void (await Promise.all([store.close(), leases.close()])),
    };
  }
  const leases = createMemoryLeaseStore({ owner: instanceId, ...(now && { now }) });
  const store = createMemoryConnectionIndexStore({ retention, leases, ...(now && { now }) });
  return { store: notifying(store, listeners), leases, instanceId, onEvents, close: async () => {} };
}
