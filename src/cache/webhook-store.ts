import type {
  ClaimedDelivery,
  DeliveryFilter,
  DeliveryRecord,
  StoredWebhookEndpoint,
  WebhookStore,
} from '../domain/webhook-deliveries.js';

/**
 * Webhook state in one instance's memory (the domain's WebhookStore port):
 * endpoints, the dispatch cursor and the deliveries of each tenant. Claims
 * still matter on one instance (two passes of the dispatcher may overlap).
 * The Redis store (redis-webhook-store.ts) behaves the same across instances.
 */

export interface DeliveryRetention {
  /** Finished deliveries (delivered, dead-lettered) older than this are dropped. */
  readonly maxAgeSeconds: number;
  /** Deliveries kept per tenant; past it the oldest finished ones are dropped. */
  readonly maxEntries: number;
}

interface Held {
  record: DeliveryRecord;
  claim: number;
  claimedUntil: number;
  /** Listing order: newest first, and the page cursor. */
  readonly seq: number;
}

interface TenantState {
  readonly endpoints: Map<string, StoredWebhookEndpoint>;
  cursor: string | null;
  readonly deliveries: Map<string, Held>;
}

export const isFinished = (record: DeliveryRecord) => record.state === 'DELIVERED' || record.state === 'DEAD_LETTERED';

/** Whether a delivery matches a listing's filter. */
export function matchesFilter(record: DeliveryRecord, filter: DeliveryFilter): boolean {
  return (
    (!filter.endpointId || record.endpointId === filter.endpointId) &&
    (!filter.eventId || record.eventId === filter.eventId) &&
    (!filter.states?.length || filter.states.includes(record.state))
  );
}

export function createMemoryWebhookStore(retention: DeliveryRetention): WebhookStore {
  const tenants = new Map<string, TenantState>();
  let seq = 0;
  const tenant = (tenantId: string) => {
    let state = tenants.get(tenantId);
    if (!state) tenants.set(tenantId, (state = { endpoints: new Map(), cursor: null, deliveries: new Map() }));
    return state;
  };
  const prune = (state: TenantState, now: number) => {
    const oldest = now - retention.maxAgeSeconds * 1000;
    let excess = state.deliveries.size - retention.maxEntries;
    // Map order is insertion order: oldest first.
    for (const [id, held] of state.deliveries) {
      if (!isFinished(held.record)) continue;
      if (excess > 0 || Date.parse(held.record.createdAt) < oldest) {
        state.deliveries.delete(id);
        excess -= 1;
      }
    }
  };

  return {
    async listEndpoints(tenantId) {
      return [...tenant(tenantId).endpoints.values()];
    },
    async addEndpoint(tenantId, endpoint, max) {
      const { endpoints } = tenant(tenantId);
      if (endpoints.size >= max) return false;
      endpoints.set(endpoint.id, endpoint);
      return true;
    },
    async deleteEndpoint(tenantId, endpointId) {
      const state = tenant(tenantId);
      if (!state.endpoints.delete(endpointId)) return false;
      for (const [id, held] of state.deliveries)
        if (held.record.endpointId === endpointId && !isFinished(held.record)) state.deliveries.delete(id);
      return true;
    },
    async readCursor(tenantId) {
      return tenant(tenantId).cursor;
    },
    async moveCursor(tenantId, from, to) {
      const state = tenant(tenantId);
      if (state.cursor !== from) return false;
      state.cursor = to;
      return true;
    },
    async createDeliveries(tenantId, records, now) {
      const state = tenant(tenantId);
      for (const record of records)
        if (!state.deliveries.has(record.id))
          state.deliveries.set(record.id, { record, claim: 0, claimedUntil: 0, seq: ++seq });
      prune(state, now);
    },
    async dueDeliveries(tenantId, now, limit) {
      const due = [...tenant(tenantId).deliveries.values()]
        .filter((h) => h.record.nextAttemptAt !== null && h.record.nextAttemptAt <= now && h.claimedUntil <= now)
        .sort((a, b) => a.record.nextAttemptAt! - b.record.nextAttemptAt!);
      return due.slice(0, limit).map((h) => h.record.id);
    },
    async claim(tenantId, id, now, claimMs) {
      const held = tenant(tenantId).deliveries.get(id);
      if (!held || held.claimedUntil > now) return null;
      if (held.record.nextAttemptAt === null || held.record.nextAttemptAt > now) return null;
      held.claim += 1;
      held.claimedUntil = now + claimMs;
      return { record: held.record, claim: held.claim } satisfies ClaimedDelivery;
    },
    async finish(tenantId, claimed, next) {
      const held = tenant(tenantId).deliveries.get(claimed.record.id);
      if (!held || held.claim !== claimed.claim) return false;
      held.record = next;
      held.claimedUntil = 0;
      return true;
    },
    async redeliver(tenantId, record, now) {
      const state = tenant(tenantId);
      const held = state.deliveries.get(record.id);
      if (held && held.claimedUntil > now) return false;
      if (held) {
        // A claim that expired mid-attempt must not overwrite the redelivery: its token no longer matches.
        held.record = record;
        held.claim += 1;
      } else state.deliveries.set(record.id, { record, claim: 0, claimedUntil: 0, seq: ++seq });
      return true;
    },
    async getDelivery(tenantId, id) {
      return tenant(tenantId).deliveries.get(id)?.record ?? null;
    },
    async listDeliveries(tenantId, { filter, first, after }) {
      const before = after === null ? Infinity : Number(after);
      const matching = [...tenant(tenantId).deliveries.values()]
        .filter((h) => h.seq < before && matchesFilter(h.record, filter))
        .sort((a, b) => b.seq - a.seq);
      const page = matching.slice(0, first);
      return {
        nodes: page.map((h) => h.record),
        endCursor: page.length > 0 ? String(page.at(-1)!.seq) : null,
        hasNextPage: matching.length > first,
      };
    },
    async close() {},
  };
}
