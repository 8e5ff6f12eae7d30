import { z } from 'zod';

/**
 * Subscriptions (Subscription.connectionEvents over SSE and WebSocket;
 * src/domain/connection-event-feed.ts): how often a tenant's event log is read
 * while it has subscribers on an instance, and how much one tenant may hold open.
 */

const intFrom = (min: number) => z.coerce.number().int().min(min);

const DEFAULTS = {
  pollIntervalMs: 1_000,
  batchSize: 500,
  maxPerTenant: 1_000,
  maxQueuedPerSubscriber: 1_000,
  keepAliveMs: 12_000,
};

export const subscriptionsSchema = z
  .object({
    /** One read of a tenant's event log per interval, however many subscribers it has on the instance. */
    pollIntervalMs: intFrom(10).default(DEFAULTS.pollIntervalMs),
    /** Events read per store call. */
    batchSize: intFrom(1).max(10_000).default(DEFAULTS.batchSize),
    /** Concurrent subscriptions per tenant on one instance (SSE and WebSocket together). */
    maxPerTenant: intFrom(1).default(DEFAULTS.maxPerTenant),
    /** Events queued for a subscriber that does not read; past it they are dropped and re-read from the log. */
    maxQueuedPerSubscriber: intFrom(1).default(DEFAULTS.maxQueuedPerSubscriber),
    /** WebSocket pings (a peer that does not answer within one interval is cut); 0: none. */
    keepAliveMs: intFrom(0).default(DEFAULTS.keepAliveMs),
  })
  .strict()
  .default(DEFAULTS);

export type SubscriptionConfig = z.output<typeof subscriptionsSchema>;
