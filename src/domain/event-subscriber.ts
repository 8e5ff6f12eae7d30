import type { ConnectionEvent, ConnectionEventType, ConnectionIndexStore } from './connection-index.js';
import { GatewayError, GatewayErrorCode } from './errors.js';
import { decodeGlobalIdOf } from './global-id.js';
import type { Vendor } from './models.js';

/** One subscriber of a tenant's connection events (connection-event-feed.ts): its queue, cursor and filter. */

/** What a subscription delivers: an event, or the error that ends it (a GraphQL error in a `next` message, then `complete`). */
export type FeedItem = { readonly event: ConnectionEvent } | { readonly error: GatewayError };

export interface EventFilter {
  readonly vendors?: ReadonlySet<Vendor> | undefined;
  /** `<vendor>:<organization id>` (the vendor's own organization id). */
  readonly organizations?: ReadonlySet<string> | undefined;
  readonly types?: ReadonlySet<ConnectionEventType> | undefined;
}

export const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

/** Private: ids are `<ms>-<seq>`, ordered as a pair of numbers. */
function isAfter(id: string, cursor: string | null): boolean {
  if (cursor === null) return true;
  const [a, b] = [EVENT_ID.exec(id), EVENT_ID.exec(cursor)];
  if (!a || !b) return id > cursor;
  return Number(a[1]) - Number(b[1]) > 0 || (a[1] === b[1] && Number(a[2]) > Number(b[2]));
}

export function matchesFilter(event: ConnectionEvent, filter: EventFilter): boolean {
  return (
    (!filter.vendors || filter.vendors.has(event.vendor)) &&
    (!filter.organizations || filter.organizations.has(`${event.vendor}:${event.organizationId}`)) &&
    (!filter.types || filter.types.has(event.type))
  );
}

const trimmedError = (after: string) =>
  new GatewayError(
    `Events after "${after}" are no longer retained; read the current state and subscribe without \`after\``,
    GatewayErrorCode.EVENTS_TRIMMED,
    { after },
  );

/** One subscription: a queue, a cursor, and whether it reads the log itself (catching up) or is fed live. */
export class Subscriber {
  private readonly queue: FeedItem[] = [];
  private wake: ((result: IteratorResult<FeedItem>) => void) | null = null;
  private ended = false;
  /** Reading the log itself, page by page as the consumer asks; live events meanwhile are held. */
  private catchingUp = true;
  private held: ConnectionEvent[] = [];
  /** Bumped whenever held events are dropped (too many): catch-up must then read on past the log's end it saw. */
  private drops = 0;
  /** The newest event id covered: queued, delivered or filtered out. */
  private cursor: string | null;
  /** The newest event id handed to the consumer: where to read again from when the queue is dropped. */
  private delivered: string | null;

  constructor(
    start: string | null,
    private readonly filter: EventFilter,
    private readonly readLog: (after: string | null) => ReturnType<ConnectionIndexStore['readEvents']>,
    private readonly limits: { readonly batchSize: number; readonly maxQueued: number },
    private readonly onEnd: (subscriber: Subscriber) => void,
  ) {
    this.cursor = this.delivered = start;
  }

  /** Starts from the log's end (a subscription without `after`). */
  startAt(id: string | null): void {
    this.cursor = this.delivered = id;
  }

  /** Live events from the poller, in log order. */
  offer(events: readonly ConnectionEvent[]): void {
    if (this.ended) return;
    if (!this.catchingUp) return this.deliver(events);
    this.held.push(...events);
    // The log still has them: catch-up reads them again rather than holding without bound.
    if (this.held.length > this.limits.maxQueued) {
      this.held = [];
      this.drops += 1;
    }
  }

  /** The poller missed events (it fell behind retention): read them from the log, or learn they are gone. */
  resync(): void {
    if (this.catchingUp || this.ended) return;
    this.queue.length = 0;
    this.cursor = this.delivered;
    this.catchingUp = true;
  }

  /** One page of the log after the cursor; throws EVENTS_TRIMMED when the cursor is older than retention. */
  async readPage(): Promise<void> {
    const [drops, after] = [this.drops, this.cursor];
    const { events, trimmed } = await this.readLog(after);
    if (trimmed && after !== null) throw trimmedError(after);
    this.deliver(events);
    if (events.length < this.limits.batchSize && drops === this.drops && this.catchingUp) {
      this.catchingUp = false;
      const held = this.held;
      this.held = [];
      this.deliver(held);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.held = [];
    this.onEnd(this);
    if (this.queue.length === 0) this.resolve({ done: true, value: undefined });
  }

  readonly iterator: AsyncIterableIterator<FeedItem> = {
    next: async () => {
      for (;;) {
        const item = this.queue.shift();
        if (item) return this.hand(item);
        if (this.ended) return { done: true, value: undefined };
        if (!this.catchingUp) return new Promise((resolve) => (this.wake = resolve));
        await this.readPage().catch((error: unknown) => this.fail(error));
      }
    },
    // Not an async generator: a generator waiting for its next event could not be stopped until one came.
    return: async () => {
      this.queue.length = 0;
      this.end();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  /** Private: events after the cursor that pass the filter are queued; a queue nobody reads is dropped and re-read. */
  private deliver(events: readonly ConnectionEvent[]): void {
    for (const event of events) {
      if (this.ended || !isAfter(event.id, this.cursor)) continue;
      this.cursor = event.id;
      if (!matchesFilter(event, this.filter)) continue;
      if (this.wake) this.resolve(this.hand({ event }));
      else this.queue.push({ event });
    }
    if (this.queue.length > this.limits.maxQueued) this.resync();
  }

  /** Private: ends the subscription with an error item, after what is queued. */
  private fail(error: unknown): void {
    const reported =
      error instanceof GatewayError
        ? error
        : new GatewayError(
            'The event log could not be read; subscribe again with `after` set to the last event id received',
            GatewayErrorCode.INTERNAL_SERVER_ERROR,
          );
    this.catchingUp = false;
    this.queue.push({ error: reported });
    this.end();
  }

  private hand(item: FeedItem): IteratorResult<FeedItem> {
    if ('event' in item) this.delivered = item.event.id;
    return { done: false, value: item };
  }

  private resolve(result: IteratorResult<FeedItem>): void {
    const wake = this.wake;
    this.wake = null;
    wake?.(result);
  }
}

/** A subscription's filter argument, organization global IDs decoded (BAD_USER_INPUT for one that is not). */
export function eventFilterOf(
  filter:
    | {
        readonly vendor?: readonly Vendor[] | null;
        readonly organizationId?: readonly string[] | null;
        readonly types?: readonly ConnectionEventType[] | null;
      }
    | null
    | undefined,
): EventFilter {
  const organizations = filter?.organizationId?.map((id) => {
    const decoded = decodeGlobalIdOf('Organization', id, 'filter.organizationId');
    return `${decoded.vendor}:${decoded.organizationId}`;
  });
  return {
    vendors: filter?.vendor ? new Set(filter.vendor) : undefined,
    organizations: organizations ? new Set(organizations) : undefined,
    types: filter?.types ? new Set(filter.types) : undefined,
  };
}
