import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryConnectionIndexStore } from '../../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../../src/cache/lease-store.js';
import { createMemoryWebhookStore } from '../../src/cache/webhook-store.js';
import type { ConnectionIndexStore } from '../../src/domain/connection-index.js';
import { organizationGlobalId } from '../../src/domain/global-id.js';
import { connectionGlobalId } from '../../src/domain/public-event.js';
import type { StoredWebhookEndpoint, WebhookStore } from '../../src/domain/webhook-deliveries.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDispatcher, type Dispatcher } from '../../src/webhooks/dispatcher.js';
import type { EndpointDirectory } from '../../src/webhooks/endpoints.js';
import { createSender } from '../../src/webhooks/sender.js';
import { generateSecret } from '../../src/webhooks/signing.js';
import { createTargetPolicy } from '../../src/webhooks/target-policy.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { commitStatusChange, startReceiver, type Receiver } from './fixtures.js';

/**
 * The dispatcher over real HTTP to a receiver on loopback (allowed by the
 * policy here), with the memory index and webhook stores and a clock the test
 * moves: signed deliveries, retries with growing delays, dead letters,
 * timeouts, floods, redirects, tenants kept apart, racing dispatchers.
 */

const RETRY = { initialDelayMs: 1_000, maxDelayMs: 16_000, maxAgeMs: 60_000 };
const policy = createTargetPolicy({
  allowHttp: true,
  allowPrivateTargets: false,
  allowedTargetCidrs: ['127.0.0.1/32'],
});

let clock: ManualClock;
let index: ConnectionIndexStore;
let store: WebhookStore;
let receiver: Receiver;
const dispatchers: Dispatcher[] = [];

const endpoint = (id: string, url: string, secret = generateSecret()): StoredWebhookEndpoint => ({
  id,
  url,
  eventTypes: ['STATUS_CHANGED'],
  description: null,
  createdAt: new Date(clock.now()).toISOString(),
  secret,
  source: 'CONFIG',
  startsAfter: null,
});

function dispatcher(endpoints: Record<string, StoredWebhookEndpoint[]>, timeoutMs = 2_000, maxResponseBytes = 1024) {
  const directory: EndpointDirectory = {
    all: async (tenantId) => endpoints[tenantId] ?? [],
    fromConfig: (tenantId) => endpoints[tenantId] ?? [],
  };
  const created = createDispatcher({
    tenantIds: Object.keys(endpoints),
    index,
    store,
    endpoints: directory,
    sender: createSender({ policy, allowHttp: true, timeoutMs, maxResponseBytes }),
    logger: createLogger('silent'),
    retry: RETRY,
    pollIntervalMs: 1000,
    batchSize: 10,
    concurrency: 4,
    timeoutMs,
    now: clock.now,
    // The top of every jitter range: the delays are the schedule's ceilings.
    random: () => 0.999_999,
  });
  dispatchers.push(created);
  return created;
}

beforeEach(async () => {
  clock = manualClock();
  const leases = createMemoryLeaseStore({ owner: 'test', now: clock.now });
  index = createMemoryConnectionIndexStore({
    retention: { maxEntries: 1000, maxAgeSeconds: 0 },
    leases,
    now: clock.now,
  });
  store = createMemoryWebhookStore({ maxAgeSeconds: 86_400, maxEntries: 1000 });
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await receiver.close();
});

describe('a delivery', () => {
  it('is one POST, signed per Standard Webhooks, with the event id as webhook-id and the public event as data', async () => {
    const secret = generateSecret();
    const d = dispatcher({ acme: [endpoint('ep1', receiver.url, secret)] });
    const eventId = await commitStatusChange(index, 'acme', 'conn-1', clock.now);
    await d.wake('acme');
    await d.wake('acme');

    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook!.headers['webhook-id']).toBe(eventId);
    const payload = new Webhook(secret).verify(hook!.body, hook!.headers) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'connection.status_changed',
      data: {
        id: eventId,
        type: 'STATUS_CHANGED',
        source: 'SYNC',
        organizationId: organizationGlobalId('LEEN', 'org-1'),
        connectionId: connectionGlobalId('LEEN', 'org-1', 'conn-1'),
        before: { status: 'ACTIVE', provider: { slug: 'crowdstrike', displayName: 'CrowdStrike' } },
        after: { status: 'ERROR' },
      },
    });
    // Internal fields stay inside: no tenant, no scope organization, no native key.
    expect(hook!.body).not.toContain('internal-scope-org');
    expect(hook!.body).not.toContain('tenantId');
    expect(() => new Webhook(generateSecret()).verify(hook!.body, hook!.headers)).toThrow();

    const page = await store.listDeliveries('acme', { filter: {}, first: 10, after: null });
    expect(page.nodes).toEqual([
      expect.objectContaining({ eventId, endpointId: 'ep1', state: 'DELIVERED', nextAttemptAt: null }),
    ]);
    expect(page.nodes[0]!.attempts).toEqual([expect.objectContaining({ statusCode: 204, error: null })]);
  });

  it('goes only to endpoints of the tenant whose event it is, and of the types they asked for', async () => {
    const other = await startReceiver();
    try {
      const created = { ...endpoint('created-only', other.url), eventTypes: ['CREATED' as const] };
      const d = dispatcher({ acme: [endpoint('ep1', receiver.url), created], globex: [endpoint('ep2', other.url)] });
      await commitStatusChange(index, 'acme', 'conn-1', clock.now);
      await Promise.all([d.wake('acme'), d.wake('globex')]);
      expect(receiver.received).toHaveLength(1);
      expect(other.received).toHaveLength(0);
      await commitStatusChange(index, 'globex', 'conn-1', clock.now);
      await Promise.all([d.wake('acme'), d.wake('globex')]);
      expect(receiver.received).toHaveLength(1);
      expect(other.received).toHaveLength(1);
      expect(JSON.parse(other.received[0]!.body).data.id).not.toBe(receiver.received[0]!.headers['webhook-id']);
    } finally {
      await other.close();
    }
  });
});

describe('a failing receiver', () => {
  it('gets retries with growing delays, then the delivery is dead-lettered', async () => {
    receiver.respond((_req, res) => void res.writeHead(503).end('down'));
    const d = dispatcher({ acme: [endpoint('ep1', receiver.url)] });
    await commitStatusChange(index, 'acme', 'conn-1', clock.now);
    const attemptTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = receiver.received.length;
      await d.wake('acme');
      if (receiver.received.length > before) attemptTimes.push(clock.now());
      const [record] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
      if (record!.nextAttemptAt === null) break;
      // Just before the retry is due nothing is sent; at the due time it is.
      clock.advance(record!.nextAttemptAt - clock.now() - 1);
      await d.wake('acme');
      expect(receiver.received.length).toBe(before + 1);
      clock.advance(1);
    }
    const delays = attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]!);
    expect(delays.slice(0, 5)).toEqual([999, 1_999, 3_999, 7_999, 15_999]);
    expect(delays.every((delay) => delay <= RETRY.maxDelayMs)).toBe(true);
    const [record] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
    expect(record!.state).toBe('DEAD_LETTERED');
    expect(record!.attempts.every((a) => a.statusCode === 503 && a.error === 'HTTP_STATUS')).toBe(true);
    expect(attemptTimes.at(-1)! - attemptTimes[0]!).toBeLessThanOrEqual(RETRY.maxAgeMs);
    expect(record!.attempts).toHaveLength(attemptTimes.length);
  });

  it('that hangs is cut by the timeout; one that floods is not read beyond the cap', async () => {
    receiver.respond(() => {});
    const hanging = dispatcher({ acme: [endpoint('ep1', receiver.url)] }, 300);
    await commitStatusChange(index, 'acme', 'conn-1', clock.now);
    await hanging.wake('acme');
    const [timedOut] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
    expect(timedOut!.attempts).toEqual([expect.objectContaining({ error: 'TIMEOUT', statusCode: null })]);
    expect(timedOut!.state).toBe('RETRYING');

    // A 200 whose body never ends: read past the cap, the attempt is over (a full read would time out).
    let written = 0;
    receiver.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    clock.advance(timedOut!.nextAttemptAt! - clock.now());
    await hanging.wake('acme');
    const [flooded] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
    expect(flooded!.state).toBe('DELIVERED');
    expect(flooded!.attempts.at(-1)).toEqual(expect.objectContaining({ statusCode: 200, error: null }));
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('that redirects fails the attempt; the redirect is not followed', async () => {
    const elsewhere = await startReceiver();
    try {
      receiver.respond((_req, res) => void res.writeHead(307, { location: elsewhere.url }).end());
      const d = dispatcher({ acme: [endpoint('ep1', receiver.url)] });
      await commitStatusChange(index, 'acme', 'conn-1', clock.now);
      await d.wake('acme');
      const [record] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
      expect(record!.attempts).toEqual([expect.objectContaining({ statusCode: 307, error: 'HTTP_STATUS' })]);
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('on a refused address is never connected to', async () => {
    const d = dispatcher({ acme: [endpoint('ep1', receiver.url.replace('127.0.0.1', 'localhost'))] });
    await commitStatusChange(index, 'acme', 'conn-1', clock.now);
    await d.wake('acme');
    const [record] = (await store.listDeliveries('acme', { filter: {}, first: 1, after: null })).nodes;
    // localhost resolves to 127.0.0.1 (allowed here) or ::1 (not): either delivered to the checked address or refused.
    const attempt = record!.attempts[0]!;
    if (attempt.error === null) expect(receiver.received).toHaveLength(1);
    else expect(attempt.error).toBe('TARGET_NOT_ALLOWED');
    const blocked = dispatcher({ acme: [endpoint('ep2', 'http://10.255.255.1:9/hooks')] });
    await commitStatusChange(index, 'acme', 'conn-2', clock.now);
    await blocked.wake('acme');
    const page = await store.listDeliveries('acme', { filter: { endpointId: 'ep2' }, first: 5, after: null });
    expect(page.nodes[0]!.attempts[0]).toEqual(
      expect.objectContaining({ error: 'TARGET_NOT_ALLOWED', statusCode: null }),
    );
  });
});

describe('racing dispatchers', () => {
  it('attempt each delivery once between them', async () => {
    const endpoints = { acme: [endpoint('ep1', receiver.url)] };
    const [a, b, c] = [dispatcher(endpoints), dispatcher(endpoints), dispatcher(endpoints)];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await commitStatusChange(index, 'acme', `conn-${i % 3}`, clock.now));
    for (let round = 0; round < 4; round++) await Promise.all([a!.wake('acme'), b!.wake('acme'), c!.wake('acme')]);
    expect(receiver.received.map((r) => r.headers['webhook-id']).sort()).toEqual([...ids].sort());
  });
});
