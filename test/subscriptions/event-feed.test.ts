import { describe, expect, it } from 'vitest';
import { createMemoryConnectionIndexStore } from '../../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../../src/cache/lease-store.js';
import { createConnectionEventFeed } from '../../src/domain/connection-event-feed.js';
import type { ConnectionIndexStore } from '../../src/domain/connection-index.js';
import type { FeedItem } from '../../src/domain/event-subscriber.js';
import { connection } from '../index/fixtures.js';

/**
 * The fan-out behind Subscription.connectionEvents, on the real in-memory index
 * store: one log read per poll whatever the number of subscribers, and no event
 * lost or repeated when a subscriber reads slower than events come (its queue
 * is dropped and read again from the log) or resumes while events keep coming.
 */

const TENANT = 'acme';
const unit = { tenantId: TENANT, vendor: 'LEEN' as const, organizationId: 'org-1' };

/** The store, recording the ids each log read returned. */
function counted(store: ConnectionIndexStore) {
  const reads: string[][] = [];
  const wrapped: ConnectionIndexStore = {
    ...store,
    readEvents: async (tenantId, query) => {
      const result = await store.readEvents(tenantId, query);
      reads.push(result.events.map((e) => e.id));
      return result;
    },
  };
  return { store: wrapped, reads };
}

async function setup(options: { maxQueued?: number; batchSize?: number; pollIntervalMs?: number } = {}) {
  const base = createMemoryConnectionIndexStore({
    retention: { maxEntries: 10_000, maxAgeSeconds: 0 },
    leases: createMemoryLeaseStore({ owner: 'test' }),
  });
  const { store, reads } = counted(base);
  const feed = createConnectionEventFeed({
    store,
    pollIntervalMs: options.pollIntervalMs ?? 5,
    batchSize: options.batchSize ?? 4,
    maxSubscriptionsPerTenant: 2_000,
    maxQueuedPerSubscriber: options.maxQueued ?? 8,
  });
  /** Appends `count` status flips; their ids, in log order. */
  const append = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const [entry] = await base.read(TENANT, [unit]);
      const [before, after] = [connection('c1'), connection('c1', { status: i % 2 ? 'ACTIVE' : 'ERROR' })];
      const result = await base.commit(unit, {
        expectedVersion: entry?.version ?? null,
        syncedAt: new Date().toISOString(),
        connections: [after],
        lease: null,
        events: [
          {
            ...{ type: 'STATUS_CHANGED', changes: ['STATUS_CHANGED'], time: new Date().toISOString() },
            ...{ tenantId: TENANT, vendor: 'LEEN', organizationId: 'org-1', connectionKey: 'c1' },
            ...{ before, after, source: { kind: 'SYNC' } },
          },
        ],
      });
      if (result.status !== 'committed') throw new Error('conflict');
      ids.push(result.events[0]!.id);
    }
    return ids;
  };
  return { feed, append, reads, store: base };
}

/** The ids of the next `count` items, awaited one by one. */
async function take(items: AsyncIterableIterator<FeedItem>, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const { value, done } = await items.next();
    if (done) throw new Error('ended');
    if ('error' in value) throw value.error;
    ids.push(value.event.id);
  }
  return ids;
}

describe('connection event feed', () => {
  it('a subscriber that does not read while many events come loses none and repeats none', async () => {
    const { feed, append } = await setup({ maxQueued: 8 });
    const first = await append(1);
    const items = await feed.subscribe(TENANT, first[0]!, {});
    const ids = await append(50);
    // Nothing read yet: whatever the poller offered overflowed the queue (8); the log still has everything.
    expect(await take(items, 50)).toEqual(ids);
    const more = await append(3);
    expect(await take(items, 3)).toEqual(more);
    await items.return!();
    feed.close();
  });

  it('resumes with `after` while events keep coming: each exactly once, in order', async () => {
    const { feed, append } = await setup({ batchSize: 3, maxQueued: 3 });
    const earlier = await append(10);
    const items = await feed.subscribe(TENANT, earlier[1]!, {});
    const [later, missed] = await Promise.all([append(10), take(items, 8)]);
    expect(missed).toEqual(earlier.slice(2));
    expect(await take(items, 10)).toEqual(later);
    await items.return!();
    feed.close();
  });

  it('fans one poll out to every subscriber of a tenant', async () => {
    const { feed, append, reads } = await setup();
    const subscribers = await Promise.all(Array.from({ length: 200 }, () => feed.subscribe(TENANT, '0-0', {})));
    const [id] = await append(1);
    for (const items of subscribers) expect(await take(items, 1)).toEqual([id!]);
    // The poller's one read brought the event to all 200; no subscriber read the log for it.
    expect(reads.filter((ids) => ids.includes(id!))).toHaveLength(1);
    expect(feed.active(TENANT)).toBe(200);
    for (const items of subscribers) await items.return!();
    expect(feed.active(TENANT)).toBe(0);
    feed.close();
  });

  it('a wake reads the log at once instead of at the next poll', async () => {
    // A poll an hour away: only the wake can bring the event within the test's time.
    const { feed, append } = await setup({ pollIntervalMs: 3_600_000 });
    const items = await feed.subscribe(TENANT, null, {});
    const [id] = await append(1);
    feed.wake(TENANT);
    expect(await take(items, 1)).toEqual([id!]);
    await items.return!();
    feed.close();
  });

  it('close ends every subscription after what it has queued', async () => {
    const { feed, append } = await setup();
    const items = await feed.subscribe(TENANT, '0-0', {});
    const [id] = await append(1);
    expect(await take(items, 1)).toEqual([id]);
    feed.close();
    expect(await items.next()).toEqual({ done: true, value: undefined });
    await expect(feed.subscribe(TENANT, null, {})).rejects.toThrow(/shutting down/);
  });
});
