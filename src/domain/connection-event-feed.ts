import type { ConnectionIndexStore } from './connection-index.js';
import { BadUserInputError, GatewayError, GatewayErrorCode } from './errors.js';
import { EVENT_ID, Subscriber, type EventFilter, type FeedItem } from './event-subscriber.js';
/**
 * Live connection events for subscribers (Subscription.connectionEvents). Per
 * instance, one poller per tenant with subscribers reads the tenant's event log
 * once per interval and fans the events out, so a thousand subscribers cost one
 * store read per interval; each subscriber filters for itself. A subscriber
 * that resumes (`after`) first reads what it missed from the log itself, then
 * joins the live fan-out without a gap or a duplicate: everything is ordered
 * by event id and each subscriber drops what it has already covered.
 */

export interface EventFeedOptions {
  readonly store: ConnectionIndexStore;
  /** How often a tenant's poller reads its log while it has subscribers. */
  readonly pollIntervalMs: number;
  /** Events read per store call (catch-up and polls read page after page until the log's end). */
  readonly batchSize: number;
  /** Concurrent subscriptions per tenant on one instance. */
  readonly maxSubscriptionsPerTenant: number;
  /** Events waiting for one subscriber that does not read; past it they are dropped and read again from the log when it does. */
  readonly maxQueuedPerSubscriber: number;
  /** A poll that failed (the store unreachable): retried at the next interval, nothing is skipped. */
  readonly onPollFailure?: (tenantId: string, error: unknown) => void;
}

export interface ConnectionEventFeed {
  /**
   * The tenant's events after `after` (null: from now on). Throws EVENTS_TRIMMED when `after` is older than
   * the log's retention, SUBSCRIPTION_LIMIT_EXCEEDED past the tenant's cap, BAD_USER_INPUT for a malformed `after`.
   */
  subscribe(tenantId: string, after: string | null, filter: EventFilter): Promise<AsyncIterableIterator<FeedItem>>;
  /** Open subscriptions of a tenant on this instance. */
  active(tenantId: string): number;
  /** The tenant's log has new events (committed by this instance): its poller reads now rather than at its next poll. */
  wake(tenantId: string): void;
  /** Ends every subscription (each stream completes) and stops polling. */
  close(): void;
}

/** Private: a tenant's poller, alive while the tenant has subscribers on this instance. */
class TenantPoller {
  readonly subscribers = new Set<Subscriber>();
  private cursor: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Resolves once the poller knows where the log ends: the point live fan-out starts from. */
  readonly ready: Promise<void>;

  constructor(
    private readonly tenantId: string,
    private readonly options: EventFeedOptions,
  ) {
    this.ready = options.store.lastEventId(tenantId).then((last) => {
      this.cursor = last;
      this.schedule();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Polls now (this instance committed events for the tenant), or once more right after a poll under way. */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.polling) return void (this.again = true);
    clearTimeout(this.timer);
    void this.run();
  }

  private started = false;
  private polling = false;
  private again = false;

  private async run(): Promise<void> {
    this.polling = true;
    do {
      this.again = false;
      await this.poll();
    } while (this.again && !this.stopped);
    this.polling = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.started = true;
    this.timer = setTimeout(() => void this.run(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const { store, batchSize } = this.options;
    try {
      for (;;) {
        const after = this.cursor;
        const { events, trimmed } = await store.readEvents(this.tenantId, { after, limit: batchSize });
        if (this.stopped) return;
        // The poller fell behind the retention window (a long store outage): its live subscribers read the log themselves.
        if (trimmed && after !== null) for (const subscriber of this.subscribers) subscriber.resync();
        if (events.length === 0) return;
        this.cursor = events.at(-1)!.id;
        for (const subscriber of this.subscribers) subscriber.offer(events);
        if (events.length < batchSize) return;
      }
    } catch (error) {
      this.options.onPollFailure?.(this.tenantId, error);
    }
  }
}

export function createConnectionEventFeed(options: EventFeedOptions): ConnectionEventFeed {
  const pollers = new Map<string, TenantPoller>();
  let closed = false;

  const leave = (tenantId: string) => (subscriber: Subscriber) => {
    const poller = pollers.get(tenantId);
    if (!poller?.subscribers.delete(subscriber) || poller.subscribers.size > 0) return;
    poller.stop();
    pollers.delete(tenantId);
  };

  return {
    async subscribe(tenantId, after, filter) {
      if (closed)
        throw new GatewayError(
          'The gateway is shutting down; subscribe again (with `after`) to reach another instance',
          GatewayErrorCode.INTERNAL_SERVER_ERROR,
        );
      if (after !== null && !EVENT_ID.test(after))
        throw new BadUserInputError('Argument "after" is not an event id (`<ms>-<seq>`, as in `ConnectionEvent.id`)', {
          argumentName: 'after',
        });
      let poller = pollers.get(tenantId);
      if ((poller?.subscribers.size ?? 0) >= options.maxSubscriptionsPerTenant)
        throw new GatewayError(
          `The tenant has ${options.maxSubscriptionsPerTenant} subscriptions open on this instance, the most allowed`,
          GatewayErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED,
          { max: options.maxSubscriptionsPerTenant },
        );
      if (!poller) pollers.set(tenantId, (poller = new TenantPoller(tenantId, options)));
      const subscriber = new Subscriber(
        after,
        filter,
        (cursor) => options.store.readEvents(tenantId, { after: cursor, limit: options.batchSize }),
        { batchSize: options.batchSize, maxQueued: Math.max(options.maxQueuedPerSubscriber, options.batchSize) },
        leave(tenantId),
      );
      // Joined before anything is read: live events from here on are held, none falls between catch-up and live.
      poller.subscribers.add(subscriber);
      try {
        await poller.ready;
        if (after === null) subscriber.startAt(await options.store.lastEventId(tenantId));
        // The first page now, so a trimmed `after` is refused before the subscription starts.
        await subscriber.readPage();
      } catch (error) {
        subscriber.end();
        throw error;
      }
      return subscriber.iterator;
    },
    active: (tenantId) => pollers.get(tenantId)?.subscribers.size ?? 0,
    wake: (tenantId) => pollers.get(tenantId)?.wake(),
    close() {
      closed = true;
      for (const poller of pollers.values()) {
        poller.stop();
        for (const subscriber of [...poller.subscribers]) subscriber.end();
      }
      pollers.clear();
    },
  };
}
