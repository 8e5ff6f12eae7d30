import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock } from '../helpers/clock.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
import { startReceiver, type Receiver } from './fixtures.js';

/**
 * Webhooks end to end, over HTTP: two gateway instances on one redis-server
 * sync the Leen simulator and dispatch to receivers on loopback (allowed by
 * this config only), on a clock the test moves. A status flip is one signed
 * delivery, whichever instances race; a failing receiver gets retries with
 * growing delays, then a dead letter, then a redelivery; a private target is
 * refused at registration; tenants stay apart; the secret appears in no
 * response but creation's and in no log line; only the admin scope may touch any of it.
 */

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

const CREATE = `mutation Create($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id url eventTypes source } secret } }`;
const DELIVERIES = `query Deliveries($filter: WebhookDeliveryFilter) {
  webhookDeliveries(filter: $filter, first: 50) {
    nodes { id eventId endpointId eventType state nextAttemptAt attempts { time statusCode error durationMs } }
  } }`;

interface DeliveryNode {
  eventId: string;
  endpointId: string;
  state: string;
  nextAttemptAt: string | null;
  attempts: { time: string; statusCode: number | null; error: string | null }[];
}

describe('webhooks across two gateway instances on one Redis', { timeout: 120_000 }, () => {
  const seed = structuredClone(LEEN_SEED) as Mutable<LeenSeedOrganization[]>;
  const [first, second] = [seed[0]!, seed[1]!];
  const clock = manualClock();
  const keys = { admin: newApiKey('admin'), reader: newApiKey('reader'), otherAdmin: newApiKey('other') };
  const logs: string[] = [];
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let receiver: Receiver;
  let otherReceiver: Receiver;
  let a: TestStack;
  let b: TestStack;
  let secret: string;
  let endpointId: string;

  const leen = (orgs: readonly LeenSeedOrganization[]) => ({
    baseUrl: sandbox.get('LEEN').url,
    apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
    organizations: orgs.map((o) => ({ id: o.id, displayName: o.name })),
  });
  const instance = () =>
    startStack({
      sharedSandbox: sandbox,
      config: {
        tenants: [
          {
            id: 'acme',
            apiKeys: [
              { id: 'admin', sha256: sha256(keys.admin), scopes: ['read', 'write', 'admin'] },
              { id: 'reader', sha256: sha256(keys.reader), scopes: ['read', 'write'] },
            ],
            vendors: { leen: leen([first, second]) },
          },
          {
            id: 'other',
            apiKeys: [{ id: 'admin', sha256: sha256(keys.otherAdmin) }],
            vendors: { leen: leen([second]) },
          },
        ],
        cache: { redisUrl: redis.url, enabled: false, commandTimeoutMs: 500 },
        sync: { enabled: true, leaseSeconds: 1, intervalSeconds: 2 },
        webhooks: {
          enabled: true,
          allowHttp: true,
          allowedTargetCidrs: ['127.0.0.1/32'],
          retry: { initialDelayMs: 1_000, maxDelayMs: 8_000, maxAgeMs: 60_000 },
        },
      },
      start: {
        now: clock.now,
        backgroundSync: 'manual',
        webhookDispatch: 'manual',
        // The top of each jitter range: the delays are the schedule's ceilings.
        webhookJitter: () => 0.999_999,
        logger: createLogger(
          'debug',
          new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }),
        ),
      },
    });
  const gql = <T>(stack: TestStack, query: string, variables?: Record<string, unknown>, apiKey = keys.admin) =>
    stack.gql<T>(query, variables, { apiKey });
  /** Both instances sync, then both dispatch, at once: every race there is. */
  const syncAndDispatch = async () => {
    clock.advance(60_000);
    await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
    await Promise.all([a.gateway.dispatchWebhooks(), b.gateway.dispatchWebhooks()]);
    await Promise.all([a.gateway.dispatchWebhooks(), b.gateway.dispatchWebhooks()]);
  };
  const deliveries = async (filter: Record<string, unknown> = {}) =>
    (await gql<{ webhookDeliveries: { nodes: DeliveryNode[] } }>(a, DELIVERIES, { filter })).body.data!
      .webhookDeliveries.nodes;

  beforeAll(async () => {
    [redis, sandbox, receiver, otherReceiver] = await Promise.all([
      startRedis(),
      startSandbox({ leen: { seed } }),
      startReceiver(),
      startReceiver(),
    ]);
    [a, b] = await Promise.all([instance(), instance()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([sandbox?.close(), redis?.close(), receiver?.close(), otherReceiver?.close()]);
  });

  it('refuses a target on a private address at registration, with a typed error, storing nothing', async () => {
    for (const [url, reason] of [
      ['https://10.0.0.5/hooks', 'ADDRESS_NOT_ALLOWED'],
      ['http://169.254.169.254/latest/meta-data', 'ADDRESS_NOT_ALLOWED'],
      ['https://[::ffff:192.168.1.1]/hooks', 'ADDRESS_NOT_ALLOWED'],
      ['https://[::1]/hooks', 'ADDRESS_NOT_ALLOWED'],
      ['ftp://hooks.example.com/', 'SCHEME_NOT_ALLOWED'],
    ] as const) {
      const result = await gql(a, CREATE, { input: { url, eventTypes: ['STATUS_CHANGED'] } });
      expect(result.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason }) }),
      ]);
    }
    const listed = await gql<{ webhookEndpoints: unknown[] }>(a, '{ webhookEndpoints { id } }');
    expect(listed.body.data!.webhookEndpoints).toEqual([]);
  });

  it('refuses every webhook field to a key without the admin scope', async () => {
    const input = { url: receiver.url, eventTypes: ['STATUS_CHANGED'] };
    for (const [query, variables] of [
      [CREATE, { input }],
      ['{ webhookEndpoints { id } }', undefined],
      [DELIVERIES, {}],
      ['mutation { redeliverWebhookEvent(eventId: "1-0", endpointId: "x") { id } }', undefined],
      ['mutation { deleteWebhookEndpoint(id: "x") { deletedId } }', undefined],
    ] as const) {
      const result = await gql(a, query, variables, keys.reader);
      expect(result.status).toBe(403);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('delivers a status flip at the simulator once, signed, with two instances racing; the other tenant gets nothing', async () => {
    const created = await gql<{
      createWebhookEndpoint: { endpoint: { id: string; source: string }; secret: string };
    }>(a, CREATE, {
      input: { url: receiver.url, eventTypes: ['STATUS_CHANGED', 'CREATED'], description: 'ops alerts' },
    });
    ({ secret } = created.body.data!.createWebhookEndpoint);
    endpointId = created.body.data!.createWebhookEndpoint.endpoint.id;
    expect(secret).toMatch(/^whsec_/);
    expect(created.body.data!.createWebhookEndpoint.endpoint.source).toBe('API');
    const otherCreated = await gql<{ createWebhookEndpoint: { secret: string } }>(
      b,
      CREATE,
      { input: { url: otherReceiver.url, eventTypes: ['STATUS_CHANGED'] } },
      keys.otherAdmin,
    );
    expect(otherCreated.body.data!.createWebhookEndpoint.secret).toMatch(/^whsec_/);

    await syncAndDispatch(); // the baseline: first indexing reports nothing
    expect(receiver.received).toHaveLength(0);

    first.connections[0]!.state = 'PAUSED';
    sandbox.get('LEEN').reset();
    await syncAndDispatch();
    await syncAndDispatch();

    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    const payload = new Webhook(secret).verify(hook!.body, hook!.headers) as {
      type: string;
      data: { id: string; before: { status: string }; after: { status: string; vendorStatus: string } };
    };
    expect(payload.type).toBe('connection.status_changed');
    expect(payload.data.before.status).toBe('ACTIVE');
    expect(payload.data.after).toMatchObject({ status: 'PAUSED', vendorStatus: 'PAUSED' });
    expect(hook!.headers['webhook-id']).toBe(payload.data.id);
    // Tenant "other" does not have that organization: its receiver got nothing.
    expect(otherReceiver.received).toHaveLength(0);

    const listed = await deliveries();
    expect(listed).toEqual([
      expect.objectContaining({ eventId: payload.data.id, endpointId, state: 'DELIVERED', nextAttemptAt: null }),
    ]);
    expect(listed[0]!.attempts).toEqual([expect.objectContaining({ statusCode: 204, error: null })]);
  });

  it('retries a failing receiver with growing delays, dead-letters the delivery, and redelivers it on demand', async () => {
    receiver.respond((_req, res) => void res.writeHead(500).end());
    const before = receiver.received.length;
    first.connections[0]!.state = 'ACTIVE';
    sandbox.get('LEEN').reset();
    await syncAndDispatch();
    const [failing] = await deliveries({ states: ['RETRYING'] });
    expect(failing).toBeDefined();
    for (let i = 0; i < 30; i++) {
      const [current] = await deliveries({ eventId: failing!.eventId });
      if (current!.nextAttemptAt === null) break;
      clock.advance(Date.parse(current!.nextAttemptAt) - clock.now());
      await Promise.all([a.gateway.dispatchWebhooks(), b.gateway.dispatchWebhooks()]);
    }
    const [dead] = await deliveries({ eventId: failing!.eventId });
    expect(dead!.state).toBe('DEAD_LETTERED');
    const times = dead!.attempts.map((attempt) => Date.parse(attempt.time));
    const delays = times.slice(1).map((t, i) => t - times[i]!);
    expect(delays.slice(0, 4)).toEqual([999, 1_999, 3_999, 7_999]);
    expect(delays.slice(4).every((d) => d === 7_999)).toBe(true);
    expect(dead!.attempts.every((attempt) => attempt.statusCode === 500 && attempt.error === 'HTTP_STATUS')).toBe(true);
    // One POST per attempt, whichever instance made it.
    expect(receiver.received.length - before).toBe(dead!.attempts.length);
    // And one count per attempt in the metrics of the instance that made it.
    const counted = async (state: string) => {
      let sum = 0;
      for (const stack of [a, b]) {
        const text = await (await fetch(new URL('/metrics', stack.gateway.url))).text();
        const line = text
          .split('\n')
          .find((l) => l.startsWith(`junction_webhook_attempts_total{state="${state}",error="HTTP_STATUS"}`));
        sum += line ? Number(line.split(' ').at(-1)) : 0;
      }
      return sum;
    };
    expect((await counted('RETRYING')) + (await counted('DEAD_LETTERED'))).toBe(dead!.attempts.length);
    expect(await counted('DEAD_LETTERED')).toBe(1);

    receiver.respond((_req, res) => void res.writeHead(200).end('ok'));
    const redelivered = await gql<{ redeliverWebhookEvent: { state: string } }>(
      b,
      'mutation R($e: ID!, $p: ID!) { redeliverWebhookEvent(eventId: $e, endpointId: $p) { state } }',
      { e: dead!.eventId, p: endpointId },
    );
    expect(redelivered.body.data!.redeliverWebhookEvent.state).toBe('PENDING');
    await Promise.all([a.gateway.dispatchWebhooks(), b.gateway.dispatchWebhooks()]);
    const [done] = await deliveries({ eventId: dead!.eventId });
    expect(done!.state).toBe('DELIVERED');
    expect(done!.attempts.at(-1)).toMatchObject({ statusCode: 200, error: null });
    const last = receiver.received.at(-1)!;
    expect(last.headers['webhook-id']).toBe(dead!.eventId);
    expect(() => new Webhook(secret).verify(last.body, last.headers)).not.toThrow();
  });

  it('never shows the secret again, in a response or a log line; records admin changes in the audit trail', async () => {
    const endpoints = await gql(a, '{ webhookEndpoints { id url eventTypes description createdAt source } }');
    expect(JSON.stringify(endpoints.body)).not.toContain(secret.slice(6));
    expect(JSON.stringify(await deliveries())).not.toContain(secret.slice(6));
    // The admin's own secret is not echoed either.
    const own = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const supplied = await gql<{ createWebhookEndpoint: { secret: string | null } }>(a, CREATE, {
      input: { url: receiver.url, eventTypes: ['REMOVED'], secret: own },
    });
    expect(supplied.body.data!.createWebhookEndpoint.secret).toBeNull();
    const bad = await gql(a, CREATE, { input: { url: receiver.url, eventTypes: ['REMOVED'], secret: 'whsec_short' } });
    expect(JSON.stringify(bad.body)).not.toContain('whsec_short');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('webhook delivered');
    for (const line of logs) {
      expect(line).not.toContain(secret.slice(6));
      expect(line).not.toContain(own.slice(6));
    }
    const audit = await gql<{ auditLog: { nodes: { operation: string; outcome: string }[] } }>(
      a,
      '{ auditLog(filter: { kinds: [ADMIN] }) { nodes { operation outcome } } }',
    );
    expect(audit.body.data!.auditLog.nodes.map((n) => [n.operation, n.outcome])).toEqual(
      expect.arrayContaining([
        ['createWebhookEndpoint', 'APPLIED'],
        ['createWebhookEndpoint', 'NOT_APPLIED'],
        ['redeliverWebhookEvent', 'APPLIED'],
      ]),
    );
  });
});
