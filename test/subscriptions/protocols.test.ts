import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionEvent, ConnectionEventInput, ConnectionIndexStore } from '../../src/domain/connection-index.js';
import { connectionGlobalId } from '../../src/domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS } from '../../src/domain/models.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { demoRoleKeys } from '../../src/sandbox/demo-key.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, newApiKey, startStack, type TestStack } from '../helpers/stack.js';
import { sseSubscribe, wsConnect, type SseStream, type WsConnection } from '../helpers/subscriptions.js';

/**
 * The subscription protocols over real HTTP and WebSocket: GraphQL over SSE at
 * /graphql/stream (graphql-sse) and graphql-transport-ws at /graphql
 * (graphql-ws), against the gateway's own in-memory connection index, whose
 * event log is written here through its commit, as a sync commits. Every
 * frame is awaited; nothing sleeps.
 */

const ACME = LEEN_SEED[0]!;
const [FIRST, SECOND] = ACME.connections;
const GLOBEX_KEY = newApiKey('globex');

const SUBSCRIPTION = /* GraphQL */ `
  subscription Events($filter: ConnectionEventFilter, $after: ID) {
    connectionEvents(filter: $filter, after: $after) {
      id
      type
      changes
      vendor
      organizationId
      connectionId
      source
      operation
      actor
      before {
        id
        status
        vendorStatus
        provider {
          slug
        }
      }
      after {
        id
        status
        vendorStatus
        provider {
          slug
        }
      }
    }
  }
`;

function model(connectionId: string, status: ConnectionModel['status']): ConnectionModel {
  return {
    id: connectionGlobalId('LEEN', ACME.id, connectionId),
    vendor: 'LEEN',
    organizationId: ACME.id,
    key: connectionId,
    externalId: connectionId,
    provider: {
      vendor: 'LEEN',
      slug: 'tenable',
      displayName: 'Tenable',
      description: null,
      category: null,
      scopeOrganizationId: ACME.id,
    },
    status,
    vendorStatus: status,
    health: null,
    accountIdentifier: 'acme-tenable-prod',
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    createdAt: null,
    updatedAt: null,
  };
}

describe('connection event subscriptions over SSE and WebSocket', () => {
  let stack: TestStack;
  let store: ConnectionIndexStore;
  const reader = () => demoRoleKeys(stack.tenant.apiKey).find((k) => k.role === 'reader')!.key;
  const introspector = () => demoRoleKeys(stack.tenant.apiKey).find((k) => k.role === 'introspector')!.key;

  /** Appends one status flip of a connection to a tenant's log, committed as a sync commits. */
  async function flip(
    tenantId: string,
    connectionId: string,
    from: ConnectionModel['status'],
    to: ConnectionModel['status'],
  ): Promise<ConnectionEvent> {
    const unit = { tenantId, vendor: 'LEEN' as const, organizationId: ACME.id };
    const [entry] = await store.read(tenantId, [unit]);
    const event: ConnectionEventInput = {
      type: 'STATUS_CHANGED',
      changes: ['STATUS_CHANGED'],
      time: new Date().toISOString(),
      tenantId,
      vendor: 'LEEN',
      organizationId: ACME.id,
      connectionKey: connectionId,
      before: model(connectionId, from),
      after: model(connectionId, to),
      source: { kind: 'SYNC' },
    };
    const result = await store.commit(unit, {
      expectedVersion: entry?.version ?? null,
      syncedAt: event.time,
      connections: [model(connectionId, to)],
      events: [event],
      lease: null,
    });
    if (result.status !== 'committed') throw new Error('commit conflict');
    return result.events[0]!;
  }

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const sse = (
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = bearer(stack.tenant.apiKey),
  ) => sseSubscribe(stack.gateway.url, { query: SUBSCRIPTION, variables }, headers);

  /** The next SSE `next` message's event. */
  async function nextSseEvent(stream: SseStream) {
    const message = await stream.next();
    expect(message.event).toBe('next');
    return (message.data as { data: { connectionEvents: Record<string, unknown> } }).data.connectionEvents;
  }

  /**
   * A WebSocket subscription from the tenant's current last event (graphql-transport-ws has no "subscribed"
   * message, so a subscription from "now" could start after the test's next change; `after` makes it exact).
   */
  async function wsSubscribed(variables: Record<string, unknown> = {}, key = stack.tenant.apiKey, tenantId = 'acme') {
    const socket = await wsConnect(stack.gateway.url, { authorization: `Bearer ${key}` });
    expect((await socket.next()).type).toBe('connection_ack');
    const after = (await store.lastEventId(tenantId)) ?? undefined;
    socket.subscribe('1', { query: SUBSCRIPTION, variables: { after, ...variables } });
    return socket;
  }

  async function nextWsEvent(socket: WsConnection) {
    const message = await socket.next();
    expect(message).toMatchObject({ type: 'next', id: '1' });
    return (message.payload as { data: { connectionEvents: Record<string, unknown> } }).data.connectionEvents;
  }

  beforeAll(async () => {
    stack = await startStack({
      config: {
        subscriptions: { pollIntervalMs: 20, maxPerTenant: 3 },
        sync: { events: { maxEntries: 5, maxAgeSeconds: 0 } },
      },
      extraTenants: (sandbox) => [demoTenantConfig(sandbox, 'globex', GLOBEX_KEY)],
    });
    store = stack.gateway.connectionIndex;
  });
  afterAll(() => stack?.close());

  it('SSE: one status flip is one `next` carrying the event and its id, connections resolved like any Connection', async () => {
    const stream = await sse();
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const flipped = await flip('acme', FIRST!.id, 'ACTIVE', 'ERROR');
    const message = await stream.next();
    expect(message).toMatchObject({ event: 'next', id: flipped.id });
    const connectionId = globalId(['Connection', 'LEEN', ACME.id, FIRST!.id]);
    expect((message.data as { data: unknown }).data).toEqual({
      connectionEvents: {
        id: flipped.id,
        type: 'STATUS_CHANGED',
        changes: ['STATUS_CHANGED'],
        vendor: 'LEEN',
        organizationId: globalId(['Organization', 'LEEN', ACME.id]),
        connectionId,
        source: 'SYNC',
        operation: null,
        actor: null,
        before: { id: connectionId, status: 'ACTIVE', vendorStatus: 'ACTIVE', provider: { slug: 'tenable' } },
        after: { id: connectionId, status: 'ERROR', vendorStatus: 'ERROR', provider: { slug: 'tenable' } },
      },
    });
    stream.close();
  });

  it('WebSocket: one status flip is one `next`; the key comes in connection_init', async () => {
    const socket = await wsSubscribed();
    const first = await flip('acme', FIRST!.id, 'ERROR', 'ACTIVE');
    expect(await nextWsEvent(socket)).toMatchObject({ id: first.id, type: 'STATUS_CHANGED' });
    const second = await flip('acme', SECOND!.id, 'PAUSED', 'ACTIVE');
    expect(await nextWsEvent(socket)).toMatchObject({ id: second.id, after: { status: 'ACTIVE' } });
    socket.close();
  });

  it('refuses missing and bad credentials, and a credential without `read`', async () => {
    const none = await sse({}, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const bad = await sse({}, bearer('jk_wrong_key'));
    expect(bad.status).toBe(401);
    const noRead = await sse({}, bearer(introspector()));
    expect(noRead.status).toBe(403);
    expect(noRead.raw()).toContain('FORBIDDEN');

    for (const params of [undefined, { authorization: 'Bearer jk_wrong_key' }, { authorization: 42 }]) {
      const socket = await wsConnect(stack.gateway.url, params);
      expect(await socket.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    }
    const forbidden = await wsConnect(stack.gateway.url, { authorization: `Bearer ${introspector()}` });
    expect(await forbidden.closed).toEqual({ code: 4403, reason: 'Forbidden' });
    // A reader may subscribe.
    const socket = await wsSubscribed({}, reader());
    const event = await flip('acme', FIRST!.id, 'ACTIVE', 'PAUSED');
    expect(await nextWsEvent(socket)).toMatchObject({ id: event.id });
    socket.close();
  });

  it("never delivers another tenant's events", async () => {
    const globex = await sse({}, bearer(GLOBEX_KEY));
    const acme = await wsSubscribed();
    const acmeEvent = await flip('acme', FIRST!.id, 'PAUSED', 'ACTIVE');
    const globexEvent = await flip('globex', FIRST!.id, 'ACTIVE', 'ERROR');
    expect(await nextSseEvent(globex)).toMatchObject({ id: globexEvent.id, after: { status: 'ERROR' } });
    expect(await nextWsEvent(acme)).toMatchObject({ id: acmeEvent.id });
    // Each tenant's next event proves the other's did not slip in before it.
    const acmeNext = await flip('acme', SECOND!.id, 'ACTIVE', 'PAUSED');
    const globexNext = await flip('globex', SECOND!.id, 'ERROR', 'ACTIVE');
    expect(await nextSseEvent(globex)).toMatchObject({ id: globexNext.id });
    expect(await nextWsEvent(acme)).toMatchObject({ id: acmeNext.id });
    globex.close();
    acme.close();
  });

  it('resumes: `after` (WebSocket) and Last-Event-ID (SSE) deliver exactly the events missed, then live ones', async () => {
    const seen = await flip('acme', FIRST!.id, 'ACTIVE', 'ERROR');
    const missed = [
      await flip('acme', FIRST!.id, 'ERROR', 'ACTIVE'),
      await flip('acme', SECOND!.id, 'PAUSED', 'ERROR'),
    ];

    const socket = await wsSubscribed({ after: seen.id });
    for (const event of missed) expect(await nextWsEvent(socket)).toMatchObject({ id: event.id });
    const stream = await sse({}, { ...bearer(stack.tenant.apiKey), 'last-event-id': seen.id });
    for (const event of missed) expect((await stream.next()).id).toBe(event.id);

    const live = await flip('acme', SECOND!.id, 'ERROR', 'ACTIVE');
    expect(await nextWsEvent(socket)).toMatchObject({ id: live.id });
    expect((await stream.next()).id).toBe(live.id);
    expect(stream.pending()).toEqual([]);
    socket.close();
    stream.close();
  });

  it('ends with EVENTS_TRIMMED when `after` is older than the retention window', async () => {
    const old = await flip('acme', FIRST!.id, 'ACTIVE', 'ERROR');
    // Retention keeps 5 events: six more push `old`'s successors out.
    for (let i = 0; i < 6; i++) await flip('acme', FIRST!.id, i % 2 ? 'ACTIVE' : 'ERROR', i % 2 ? 'ERROR' : 'ACTIVE');
    const stream = await sse({ after: old.id });
    const message = await stream.next();
    expect(message.event).toBe('next');
    expect(message.data).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'EVENTS_TRIMMED', after: old.id } })],
    });
    expect((await stream.next()).event).toBe('complete');
    await stream.ended;
  });

  it('filters by vendor, organization and type', async () => {
    const socket = await wsSubscribed({ filter: { vendor: ['OUTLIT'] } });
    const stream = await sse({
      filter: { organizationId: [globalId(['Organization', 'LEEN', ACME.id])], types: ['STATUS_CHANGED'] },
    });
    const other = await sse({ filter: { types: ['CREATED'] } });
    const event = await flip('acme', FIRST!.id, 'ERROR', 'ACTIVE');
    expect(await nextSseEvent(stream)).toMatchObject({ id: event.id });
    socket.close();
    other.close();
    stream.close();
    // Neither filtered subscriber had anything queued for it.
    expect(socket.raw()).not.toContain(event.id);
    expect(other.raw()).not.toContain(event.id);
  });

  it('caps concurrent subscriptions per tenant (SUBSCRIPTION_LIMIT_EXCEEDED) and frees a place when one ends', async () => {
    const open = [await sse(), await sse(), await sse()];
    const refused = await sse();
    expect((await refused.next()).data).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', max: 3 } })],
    });
    open[0]!.close();
    await open[0]!.ended;
    // The place is freed once the server sees the stream go; the next subscription then starts.
    let admitted: SseStream | undefined;
    for (;;) {
      admitted = await sse();
      const event = await flip('acme', FIRST!.id, 'ACTIVE', 'ERROR');
      const message = await admitted.next();
      if ((message.data as { errors?: unknown }).errors) continue;
      expect(message.id).toBe(event.id);
      break;
    }
    for (const stream of [...open.slice(1), admitted]) stream.close();
  });

  it('applies the operation limits and refuses other operation types', async () => {
    const deep = await sseSubscribe(
      stack.gateway.url,
      {
        query:
          'subscription { connectionEvents { before { organization { connections { organization { connections { organization { connections { organization { connections { organization { connections { id } } } } } } } } } } } } }',
      },
      bearer(stack.tenant.apiKey),
    );
    expect(deep.status).toBe(400);
    expect(deep.raw()).toContain('OPERATION_LIMIT_EXCEEDED');
    const query = await sseSubscribe(stack.gateway.url, { query: '{ __typename }' }, bearer(stack.tenant.apiKey));
    expect(query.status).toBe(400);
    expect(JSON.parse(query.raw())).toEqual({
      errors: [
        {
          message: 'Only subscriptions are served here; send a query to POST /graphql',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    const post = await stack.gql('subscription { connectionEvents { id } }');
    expect(post.status).toBe(400);
    expect(post.body.errors?.[0]?.message).toMatch(/\/graphql\/stream/);
  });

  it('puts no credential in any frame, masks internal errors', async () => {
    const stream = await sse();
    const socket = await wsSubscribed();
    const event = await flip('acme', FIRST!.id, 'ERROR', 'ACTIVE');
    expect(await nextSseEvent(stream)).toMatchObject({ id: event.id });
    expect(await nextWsEvent(socket)).toMatchObject({ id: event.id });
    const bad = await sseSubscribe(
      stack.gateway.url,
      { query: SUBSCRIPTION, variables: { after: 'not-an-id' } },
      bearer(stack.tenant.apiKey),
    );
    expect(await bad.next()).toMatchObject({
      event: 'next',
      data: {
        errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } })],
      },
    });
    stream.close();
    socket.close();
    const frames = stream.raw() + socket.raw() + bad.raw();
    for (const secret of [
      stack.tenant.apiKey,
      SANDBOX_CREDENTIALS.leen.apiKey,
      SANDBOX_CREDENTIALS.userhub.apiKey,
      SANDBOX_CREDENTIALS.supervity.token,
      'scopeOrganizationId',
      'stack',
    ])
      expect(frames).not.toContain(secret);
  });

  it('a shutdown completes open subscriptions: the SSE stream ends, the socket closes with 1001', async () => {
    const stream = await sse();
    const socket = await wsSubscribed();
    const event = await flip('acme', FIRST!.id, 'ACTIVE', 'ERROR');
    expect((await stream.next()).id).toBe(event.id);
    expect(await nextWsEvent(socket)).toMatchObject({ id: event.id });
    await stack.close();
    expect((await stream.next()).event).toBe('complete');
    await stream.ended;
    expect(await socket.next()).toEqual({ type: 'complete', id: '1' });
    expect((await socket.closed).code).toBe(1001);
    stack = undefined as unknown as TestStack;
  });
});
