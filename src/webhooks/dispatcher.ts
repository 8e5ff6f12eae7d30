import { performance } from 'node:perf_hooks';
import type { ConnectionEvent, ConnectionIndexStore, Lease, LeaseStore } from '../domain/connection-index.js';
import { webhookPayload } from '../domain/public-event.js';
import {
  deliveryId,
  type ClaimedDelivery,
  type DeliveryRecord,
  type StoredWebhookEndpoint,
  type WebhookStore,
} from '../domain/webhook-deliveries.js';
import type { Logger } from '../observability/logger.js';
import { afterAttempt, compareEventIds, type RetrySchedule } from './delivery-state.js';
import type { EndpointDirectory } from './endpoints.js';
import type { Sender } from './sender.js';
import { signedHeaders } from './signing.js';

/**
 * Turns each tenant's event log into webhook deliveries and makes them.
 *
 * A pass per tenant: (1) read the events after the tenant's stored cursor
 * (ConnectionIndexStore.readEvents), create one delivery per event and
 * endpoint that wants it (created once however many instances race), move the
 * cursor; (2) claim the deliveries that are due and attempt each. A claim is
 * atomic in the store and fences the attempt's outcome, so every attempt is
 * made by one instance. With a LeaseStore, one instance at a time runs a
 * tenant's passes (the others stand by and take over when its lease expires);
 * the claims hold without it.
 */

export interface DispatcherOptions {
  readonly tenantIds: readonly string[];
  readonly index: ConnectionIndexStore;
  readonly store: WebhookStore;
  readonly endpoints: EndpointDirectory;
  readonly sender: Sender;
  readonly leases?: LeaseStore | undefined;
  readonly logger: Logger;
  readonly retry: RetrySchedule;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly random?: (() => number) | undefined;
  /** Told of each attempt's outcome (the metrics). */
  readonly onAttempt?: ((state: string, error: string | null) => void) | undefined;
}

export interface Dispatcher {
  /** Starts the poll timer. */
  start(): void;
  /** A pass for the tenant now (a commit on this instance appended events); resolves once its attempts ended. */
  wake(tenantId: string): Promise<void>;
  close(): Promise<void>;
}

/** Passes of reading the log per tick: a burst of events is caught up over a few ticks, not in one long pass. */
const MAX_BATCHES_PER_PASS = 10;
const LEASE_NAME = 'webhooks';

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { index, store, sender, logger } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  // Longer than any attempt can last: a claim expires only when its instance died mid-attempt.
  const claimMs = options.timeoutMs + 30_000;
  const leaseMs = Math.max(5 * options.pollIntervalMs, 5_000);
  const leases = new Map<string, Lease>();
  const inFlight = new Map<string, Set<Promise<void>>>();
  const phases = new Map<string, Promise<void>>();
  const queued = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const holdsLease = async (tenantId: string): Promise<boolean> => {
    if (!options.leases) return true;
    const held = leases.get(tenantId);
    if (held && (await options.leases.renew(held, leaseMs))) return true;
    leases.delete(tenantId);
    const lease = await options.leases.acquire(tenantId, LEASE_NAME, leaseMs);
    if (lease) leases.set(tenantId, lease);
    return lease !== null;
  };

  const enqueue = async (tenantId: string, endpoints: readonly StoredWebhookEndpoint[]) => {
    let cursor = await store.readCursor(tenantId);
    if (endpoints.length === 0) {
      // Nobody to deliver to: skip what is logged (endpoints created later start after it anyway).
      const last = await index.lastEventId(tenantId);
      if (last !== null && last !== cursor) await store.moveCursor(tenantId, cursor, last);
      return;
    }
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const { events, trimmed } = await index.readEvents(tenantId, { after: cursor, limit: options.batchSize });
      if (trimmed) logger.warn({ tenant: tenantId, after: cursor }, 'webhooks: events left the log before dispatch');
      if (events.length === 0) return;
      const at = new Date(now()).toISOString();
      const records = events.flatMap((event) =>
        endpoints
          .filter((endpoint) => wants(endpoint, event))
          .map((endpoint) => newDelivery(event, endpoint, at, now())),
      );
      if (records.length > 0) await store.createDeliveries(tenantId, records, now());
      const last = events.at(-1)!.id;
      // Another instance moved it first: it created the same deliveries (or will), nothing is lost.
      if (!(await store.moveCursor(tenantId, cursor, last))) return;
      cursor = last;
      if (events.length < options.batchSize) return;
    }
  };

  const attempt = async (tenantId: string, claimed: ClaimedDelivery, endpoint: StoredWebhookEndpoint | undefined) => {
    const { record } = claimed;
    if (!endpoint) {
      await store.finish(tenantId, claimed, { ...record, state: 'DEAD_LETTERED', nextAttemptAt: null });
      return;
    }
    const startedAt = now();
    const headers = signedHeaders(endpoint.secret, record.eventId, startedAt, record.payload);
    const clock = performance.now();
    const outcome = await sender.send(endpoint.url, headers, record.payload);
    const durationMs = Math.round(performance.now() - clock);
    const next = afterAttempt(
      record,
      { time: new Date(startedAt).toISOString(), durationMs, statusCode: outcome.statusCode, error: outcome.error },
      { startedAt, endedAt: now() },
      options.retry,
      random,
    );
    const written = await store.finish(tenantId, claimed, next);
    options.onAttempt?.(next.state, outcome.error);
    const fields = {
      tenant: tenantId,
      endpointId: endpoint.id,
      eventId: record.eventId,
      attempt: next.attempts.length,
      statusCode: outcome.statusCode,
      error: outcome.error,
      state: next.state,
      durationMs,
      ...(next.nextAttemptAt !== null && { nextAttemptAt: new Date(next.nextAttemptAt).toISOString() }),
      ...(!written && { claimLost: true }),
    };
    if (next.state === 'DELIVERED') logger.info(fields, 'webhook delivered');
    else if (next.state === 'DEAD_LETTERED') logger.error(fields, 'webhook dead-lettered');
    else logger.warn(fields, 'webhook attempt failed');
  };

  const deliver = async (tenantId: string, endpoints: readonly StoredWebhookEndpoint[]) => {
    const running = inFlight.get(tenantId) ?? new Set<Promise<void>>();
    inFlight.set(tenantId, running);
    const free = options.concurrency - running.size;
    if (free <= 0) return [];
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    const started: Promise<void>[] = [];
    for (const id of await store.dueDeliveries(tenantId, now(), free)) {
      const claimed = await store.claim(tenantId, id, now(), claimMs);
      if (!claimed) continue;
      const work = attempt(tenantId, claimed, byId.get(claimed.record.endpointId))
        .catch((error: unknown) => logger.warn({ err: error, tenant: tenantId }, 'webhook attempt not recorded'))
        .finally(() => running.delete(work));
      running.add(work);
      started.push(work);
    }
    return started;
  };

  /** Private: reads the log and starts the due attempts; resolves once they are started. */
  const phase = async (tenantId: string): Promise<void> => {
    try {
      if (!(await holdsLease(tenantId))) return;
      const endpoints = await options.endpoints.all(tenantId);
      await enqueue(tenantId, endpoints);
      await deliver(tenantId, endpoints);
    } catch (error) {
      logger.warn({ err: error, tenant: tenantId }, 'webhook dispatch pass failed; retried at the next');
    }
  };

  /**
   * A pass for the tenant, resolved once the attempts in flight when it ended are over. One runs at a
   * time per tenant: a wake during a pass (it may have read the log before the new events) queues one more.
   */
  const pass = (tenantId: string): Promise<void> => {
    if (closed) return Promise.resolve();
    const running = phases.get(tenantId);
    if (running) {
      let next = queued.get(tenantId);
      if (!next) {
        next = running.then(() => (queued.delete(tenantId), pass(tenantId)));
        queued.set(tenantId, next);
      }
      return next;
    }
    const current = phase(tenantId);
    phases.set(tenantId, current);
    void current.finally(() => phases.delete(tenantId));
    return current.then(() => Promise.all([...(inFlight.get(tenantId) ?? [])]).then(() => {}));
  };

  return {
    start() {
      timer ??= setInterval(() => {
        for (const tenantId of options.tenantIds) void pass(tenantId);
      }, options.pollIntervalMs);
      timer.unref();
    },
    wake: pass,
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...inFlight.values()].flatMap((running) => [...running]));
      await Promise.all([...leases.values()].map((lease) => options.leases?.release(lease).catch(() => {})));
      await sender.close();
    },
  };
}

/**
 * Private: whether the endpoint takes the event: one of the event's changes is of a type it asked for (a
 * status change that also changed health reaches a HEALTH_CHANGED endpoint), and it happened after its creation.
 */
function wants(endpoint: StoredWebhookEndpoint, event: ConnectionEvent): boolean {
  if (![event.type, ...event.changes].some((type) => endpoint.eventTypes.includes(type))) return false;
  return endpoint.startsAfter === null || compareEventIds(event.id, endpoint.startsAfter) > 0;
}

function newDelivery(event: ConnectionEvent, endpoint: StoredWebhookEndpoint, at: string, now: number): DeliveryRecord {
  return {
    id: deliveryId(event.id, endpoint.id),
    eventId: event.id,
    endpointId: endpoint.id,
    eventType: event.type,
    payload: webhookPayload(event),
    createdAt: at,
    state: 'PENDING',
    attempts: [],
    nextAttemptAt: now,
    windowStartedAt: null,
  };
}
