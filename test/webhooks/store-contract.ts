import { expect, it } from 'vitest';
import type { DeliveryRecord, StoredWebhookEndpoint, WebhookStore } from '../../src/domain/webhook-deliveries.js';

/** What every WebhookStore does (memory, Redis, Redis Cluster): each decision atomic, each tenant apart. */

const T0 = 1_800_000_000_000;

export const record = (eventId: string, endpointId = 'ep1', changes: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id: `${eventId}:${endpointId}`,
  eventId,
  endpointId,
  eventType: 'STATUS_CHANGED',
  payload: JSON.stringify({ eventId }),
  createdAt: new Date(T0).toISOString(),
  state: 'PENDING',
  attempts: [],
  nextAttemptAt: T0,
  windowStartedAt: null,
  ...changes,
});

const endpoint = (id: string): StoredWebhookEndpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  eventTypes: ['STATUS_CHANGED'],
  description: null,
  createdAt: new Date(T0).toISOString(),
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  source: 'API',
  startsAfter: null,
});

export function storeContract(open: () => Promise<WebhookStore>) {
  let n = 0;
  const tenant = () => `t${Date.now().toString(36)}${n++}`;

  it('creates each delivery once, whoever races, and never overwrites one', async () => {
    const store = await open();
    const t = tenant();
    await Promise.all(Array.from({ length: 5 }, () => store.createDeliveries(t, [record('1-0'), record('1-1')], T0)));
    await store.createDeliveries(t, [record('1-0', 'ep1', { payload: 'other' })], T0);
    const page = await store.listDeliveries(t, { filter: {}, first: 10, after: null });
    expect(page.nodes.map((d) => d.id)).toEqual(['1-1:ep1', '1-0:ep1']);
    expect((await store.getDelivery(t, '1-0:ep1'))!.payload).toBe(JSON.stringify({ eventId: '1-0' }));
  });

  it('hands a due delivery to one claimant at a time; an expired claim writes nothing', async () => {
    const store = await open();
    const t = tenant();
    await store.createDeliveries(t, [record('2-0')], T0);
    expect(await store.dueDeliveries(t, T0, 10)).toEqual(['2-0:ep1']);
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim(t, '2-0:ep1', T0, 1000)));
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(1);
    expect(await store.dueDeliveries(t, T0 + 999, 10)).toEqual([]);
    // The claimant died: after its claim expired another instance takes the delivery over.
    const second = await store.claim(t, '2-0:ep1', T0 + 1000, 1000);
    expect(second).not.toBeNull();
    expect(await store.finish(t, won[0]!, { ...won[0]!.record, state: 'DELIVERED', nextAttemptAt: null })).toBe(false);
    expect(await store.finish(t, second!, { ...second!.record, state: 'DELIVERED', nextAttemptAt: null })).toBe(true);
    expect((await store.getDelivery(t, '2-0:ep1'))!.state).toBe('DELIVERED');
    expect(await store.dueDeliveries(t, T0 + 10_000_000, 10)).toEqual([]);
  });

  it('keeps a retry until it is due, then hands it out again', async () => {
    const store = await open();
    const t = tenant();
    await store.createDeliveries(t, [record('3-0')], T0);
    const claimed = await store.claim(t, '3-0:ep1', T0, 60_000);
    await store.finish(t, claimed!, { ...claimed!.record, state: 'RETRYING', nextAttemptAt: T0 + 5000 });
    expect(await store.dueDeliveries(t, T0 + 4999, 10)).toEqual([]);
    expect(await store.claim(t, '3-0:ep1', T0 + 4999, 60_000)).toBeNull();
    expect(await store.dueDeliveries(t, T0 + 5000, 10)).toEqual(['3-0:ep1']);
    expect(await store.claim(t, '3-0:ep1', T0 + 5000, 60_000)).toMatchObject({ record: { state: 'RETRYING' } });
  });

  it('redelivers a finished delivery, not one in flight', async () => {
    const store = await open();
    const t = tenant();
    await store.createDeliveries(t, [record('4-0')], T0);
    const claimed = await store.claim(t, '4-0:ep1', T0, 60_000);
    const due = record('4-0', 'ep1', { nextAttemptAt: T0 + 10 });
    expect(await store.redeliver(t, due, T0 + 10)).toBe(false);
    await store.finish(t, claimed!, { ...claimed!.record, state: 'DEAD_LETTERED', nextAttemptAt: null });
    expect(await store.redeliver(t, due, T0 + 10)).toBe(true);
    expect(await store.dueDeliveries(t, T0 + 10, 10)).toEqual(['4-0:ep1']);
    // A delivery that never existed (an endpoint created after the event) is created by a redelivery.
    expect(await store.redeliver(t, record('4-1', 'ep1', { nextAttemptAt: T0 + 10 }), T0 + 10)).toBe(true);
    expect((await store.dueDeliveries(t, T0 + 10, 10)).sort()).toEqual(['4-0:ep1', '4-1:ep1']);
  });

  it('moves the cursor only from where it is', async () => {
    const store = await open();
    const t = tenant();
    expect(await store.readCursor(t)).toBeNull();
    expect(await store.moveCursor(t, null, '5-0')).toBe(true);
    expect(await store.moveCursor(t, null, '5-1')).toBe(false);
    expect(await store.moveCursor(t, '5-0', '5-2')).toBe(true);
    expect(await store.readCursor(t)).toBe('5-2');
  });

  it('caps endpoints per tenant, and deleting one drops its unfinished deliveries', async () => {
    const store = await open();
    const t = tenant();
    expect(await store.addEndpoint(t, endpoint('a'), 2)).toBe(true);
    expect(await store.addEndpoint(t, endpoint('b'), 2)).toBe(true);
    expect(await store.addEndpoint(t, endpoint('c'), 2)).toBe(false);
    expect((await store.listEndpoints(t)).map((e) => e.id).sort()).toEqual(['a', 'b']);
    expect((await store.listEndpoints(t))[0]!.secret).toMatch(/^whsec_/);
    await store.createDeliveries(t, [record('6-0', 'a'), record('6-0', 'b')], T0);
    expect(await store.deleteEndpoint(t, 'a')).toBe(true);
    expect(await store.deleteEndpoint(t, 'a')).toBe(false);
    expect(await store.dueDeliveries(t, T0, 10)).toEqual(['6-0:b']);
    expect(await store.listEndpoints(tenant())).toEqual([]);
  });

  it('lists newest first, filtered, in pages that neither repeat nor skip', async () => {
    const store = await open();
    const t = tenant();
    for (let i = 0; i < 7; i++) await store.createDeliveries(t, [record(`7-${i}`, i % 2 ? 'odd' : 'even')], T0);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.listDeliveries(t, { filter: { endpointId: 'even' }, first: 2, after });
      seen.push(...page.nodes.map((d) => d.eventId));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(['7-6', '7-4', '7-2', '7-0']);
    const delivered = await store.listDeliveries(t, { filter: { states: ['DELIVERED'] }, first: 5, after: null });
    expect(delivered.nodes).toEqual([]);
  });
}
