import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock } from '../helpers/clock.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
import { sseSubscribe, wsConnect, type SseStream, type WsConnection } from '../helpers/subscriptions.js';

/**
 * Subscriptions end to end: two gateway instances on one redis-server share
 * the connection index; a status flip at the Leen simulator, found by their
 * background sync (run through syncNow on a test clock), reaches an SSE
 * subscriber of one instance and a WebSocket subscriber of the other exactly
 * once; the other tenant's subscriber never sees it; a subscriber that comes
 * back with its last event id gets exactly what it missed. Every frame is
 * awaited; nothing sleeps.
 */

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

const SUBSCRIPTION = /* GraphQL */ `
  subscription ($after: ID) {
    connectionEvents(after: $after) {
      id
      type
      changes
      source
      organizationId
      connectionId
      before {
        id
        status
        vendorStatus
      }
      after {
        id
        status
        vendorStatus
        accountIdentifier
      }
    }
  }
`;

type Event = {
  id: string;
  type: string;
  before: { status: string } | null;
  after: { status: string; vendorStatus: string } | null;
  connectionId: string;
};

describe('subscriptions with two gateway instances on one Redis and a real sync', () => {
  const seed = structuredClone(LEEN_SEED) as Mutable<LeenSeedOrganization[]>;
  const [acmeOrg, otherOrg] = [seed[0]!, seed[1]!];
  const keys = { acme: newApiKey('acme'), other: newApiKey('other') };
  const clock = manualClock();
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let a: TestStack;
  let b: TestStack;

  const instance = () =>
    startStack({
      sharedSandbox: sandbox,
      config: {
        tenants: (
          [
            ['acme', acmeOrg],
            ['other', otherOrg],
          ] as const
        ).map(([id, org]) => ({
          id,
          apiKeySha256: [sha256(keys[id])],
          vendors: {
            leen: {
              baseUrl: sandbox.get('LEEN').url,
              apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
              organizations: [{ id: org.id, displayName: org.name }],
            },
          },
        })),
        // No read cache: each sync sees the simulator as it is.
        cache: { redisUrl: redis.url, enabled: false, commandTimeoutMs: 1000 },
        sync: { enabled: true, leaseSeconds: 1, intervalSeconds: 2 },
        subscriptions: { pollIntervalMs: 20 },
      },
      start: { now: clock.now, backgroundSync: 'manual' },
    });

  /** Sets a connection's state at the simulator, and lets both instances sync (each unit once, whoever wins). */
  async function flip(org: Mutable<LeenSeedOrganization>, state: 'ACTIVE' | 'PAUSED'): Promise<void> {
    org.connections[0]!.state = state;
    sandbox.get('LEEN').reset();
    clock.advance(60_000);
    await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
  }

  const sse = (gateway: TestStack, headers: Record<string, string> = {}, after?: string) =>
    sseSubscribe(
      gateway.gateway.url,
      { query: SUBSCRIPTION, variables: after ? { after } : {} },
      { authorization: `Bearer ${keys.acme}`, ...headers },
    );
  async function sseEvent(stream: SseStream): Promise<Event & { sseId: string | undefined }> {
    const message = await stream.next();
    expect(message.event).toBe('next');
    const event = (message.data as { data: { connectionEvents: Event } }).data.connectionEvents;
    return { ...event, sseId: message.id };
  }
  /** A WebSocket subscription from the start of the log: the baseline wrote no event, so every event counts. */
  async function ws(gateway: TestStack, tenant: keyof typeof keys): Promise<WsConnection> {
    const socket = await wsConnect(gateway.gateway.url, { authorization: `Bearer ${keys[tenant]}` });
    expect((await socket.next()).type).toBe('connection_ack');
    socket.subscribe('s', { query: SUBSCRIPTION, variables: { after: '0-0' } });
    return socket;
  }
  async function wsEvent(socket: WsConnection): Promise<Event> {
    const message = await socket.next();
    expect(message).toMatchObject({ type: 'next', id: 's' });
    return (message.payload as { data: { connectionEvents: Event } }).data.connectionEvents;
  }

  beforeAll(async () => {
    [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ leen: { seed } })]);
    [a, b] = [await instance(), await instance()];
    // The first indexing is a baseline: no event.
    await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
    expect(await a.gateway.connectionIndex.lastEventId('acme')).toBeNull();
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([sandbox?.close(), redis?.close()]);
  });

  it('one flip is one event at an SSE subscriber of one instance and a WebSocket subscriber of the other; resumes are exact', async () => {
    const target = acmeOrg.connections[0]!;
    const connectionId = globalId(['Connection', 'LEEN', acmeOrg.id, target.id]);
    const stream = await sse(a, {}, '0-0');
    const socket = await ws(b, 'acme');
    const other = await ws(a, 'other');

    await flip(acmeOrg, 'PAUSED');
    const viaSse = await sseEvent(stream);
    expect(viaSse).toMatchObject({
      type: 'STATUS_CHANGED',
      changes: ['STATUS_CHANGED'],
      source: 'SYNC',
      organizationId: globalId(['Organization', 'LEEN', acmeOrg.id]),
      connectionId,
      before: { id: connectionId, status: 'ACTIVE', vendorStatus: 'ACTIVE' },
      after: { id: connectionId, status: 'PAUSED', vendorStatus: 'PAUSED' },
    });
    expect(viaSse.sseId).toBe(viaSse.id);
    const viaWs = await wsEvent(socket);
    expect(viaWs).toEqual(stripSseId(viaSse));

    // The other tenant's flip reaches its own subscriber only; its first message is its own event.
    await flip(otherOrg, 'PAUSED');
    const otherEvent = await wsEvent(other);
    expect(otherEvent.connectionId).toBe(globalId(['Connection', 'LEEN', otherOrg.id, otherOrg.connections[0]!.id]));

    // Exactly once: each acme subscriber's next message is the next change, not a copy of the first.
    await flip(acmeOrg, 'ACTIVE');
    const back = await sseEvent(stream);
    expect(back).toMatchObject({ before: { status: 'PAUSED' }, after: { status: 'ACTIVE' } });
    expect(back.id).not.toBe(viaSse.id);
    expect((await wsEvent(socket)).id).toBe(back.id);

    // Disconnected after `back`, the SSE subscriber misses two flips, then comes back at the other instance.
    stream.close();
    await flip(acmeOrg, 'PAUSED');
    await flip(acmeOrg, 'ACTIVE');
    const missed = [await wsEvent(socket), await wsEvent(socket)];
    const resumed = await sse(b, { 'last-event-id': back.id });
    expect([await sseEvent(resumed), await sseEvent(resumed)].map((e) => e.id)).toEqual(missed.map((e) => e.id));
    // Then live events, still once.
    await flip(acmeOrg, 'PAUSED');
    const live = await wsEvent(socket);
    expect((await sseEvent(resumed)).id).toBe(live.id);
    expect(resumed.pending()).toEqual([]);

    resumed.close();
    socket.close();
    other.close();
    const acmeIds = [viaSse.id, back.id, ...missed.map((e) => e.id), live.id];
    for (const id of acmeIds) expect(other.raw()).not.toContain(id);
    const frames = stream.raw() + resumed.raw() + socket.raw() + other.raw();
    for (const secret of [keys.acme, keys.other, SANDBOX_CREDENTIALS.leen.apiKey]) expect(frames).not.toContain(secret);
  });
});

function stripSseId<T extends { sseId?: unknown }>(event: T): Omit<T, 'sseId'> {
  const { sseId: _sseId, ...rest } = event;
  return rest;
}
