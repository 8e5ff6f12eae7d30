import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/domain/connection-index.js';
import { LEEN_SEED, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock } from '../helpers/clock.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * One gateway with the background sync on (in memory, driven by syncNow and an
 * injected clock): a status flipped at the Leen simulator is one event; a
 * mutation updates the index at once with one MUTATION event, a dry run and an
 * idempotent replay with none.
 */

const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      dryRun
      userErrors {
        code
      }
    }
  }
`;

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

describe('background sync and mutations on the connection index (one instance, memory)', () => {
  const seed = structuredClone(LEEN_SEED) as Mutable<LeenSeedOrganization[]>;
  const org = seed[0]!;
  const clock = manualClock();
  let sandbox: RunningSandbox;
  let stack: TestStack;
  const events = async (tenant = 'acme'): Promise<readonly ConnectionEvent[]> =>
    (await stack.gateway.connectionIndex.readEvents(tenant, { after: null, limit: 1000 })).events;
  /** One interval later: every unit is due, and cached listings have expired. */
  const nextInterval = () => clock.advance(61_000);

  beforeAll(async () => {
    sandbox = await startSandbox({ leen: { seed } });
    stack = await startStack({
      sharedSandbox: sandbox,
      config: { sync: { enabled: true } },
      start: { now: clock.now, backgroundSync: 'manual' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await stack.gateway.syncNow();
  });

  it('indexes every unit as a baseline (no events), then reports a status flip at the vendor once', async () => {
    expect(await events()).toEqual([]);
    const [entry] = await stack.gateway.connectionIndex.read('acme', [{ vendor: 'LEEN', organizationId: org.id }]);
    expect(entry!.connections.map((c) => c.externalId).sort()).toEqual(org.connections.map((c) => c.id).sort());

    org.connections[0]!.state = 'PAUSED';
    sandbox.get('LEEN').reset();
    expect(await stack.gateway.syncNow()).toMatchObject({ fresh: expect.any(Number) });
    expect(await events()).toEqual([]);
    nextInterval();
    const report = await stack.gateway.syncNow();
    expect(report.failed ?? 0).toBe(0);
    const logged = await events();
    expect(logged.map((e) => [e.type, e.vendor, e.connectionKey, e.before?.status, e.after?.status])).toEqual([
      ['STATUS_CHANGED', 'LEEN', org.connections[0]!.id, 'ACTIVE', 'PAUSED'],
    ]);
    expect(logged[0]!.source).toEqual({ kind: 'SYNC' });
    nextInterval();
    await stack.gateway.syncNow();
    expect(await events()).toHaveLength(1);
    const metrics = await (await fetch(new URL('/metrics', stack.gateway.url))).text();
    expect(metrics).toMatch(/junction_sync_runs_total\{vendor="LEEN",outcome="committed"\} [1-9]/);
    expect(metrics).toMatch(/junction_connection_events_total\{vendor="LEEN"\} 1/);
    expect(metrics).toMatch(/junction_sync_vendor_calls_total\{vendor="LEEN"\} [1-9]/);
  });

  it('updates the entry at once with one MUTATION event; a dry run and an idempotent replay make none', async () => {
    const before = (await events()).length;
    const target = org.connections[1]!;
    const id = globalId(['Connection', 'LEEN', org.id, target.id]);
    const dry = await stack.gql(DELETE, { input: { connectionId: id, dryRun: true } });
    expect(dry.body.data).toEqual({ deleteConnection: { dryRun: true, userErrors: [] } });
    expect(await events()).toHaveLength(before);

    const input = { connectionId: id, idempotencyKey: 'index-delete-1' };
    expect((await stack.gql(DELETE, { input })).body.data).toEqual({
      deleteConnection: { dryRun: false, userErrors: [] },
    });
    const logged = (await events()).slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      type: 'REMOVED',
      connectionKey: target.id,
      after: null,
      source: { kind: 'MUTATION', operation: 'deleteConnection', actor: 'key:demo-admin' },
    });
    const [entry] = await stack.gateway.connectionIndex.read('acme', [{ vendor: 'LEEN', organizationId: org.id }]);
    expect(entry!.connections.map((c) => c.key)).not.toContain(target.id);

    expect((await stack.gql(DELETE, { input })).body.data).toEqual({
      deleteConnection: { dryRun: false, userErrors: [] },
    });
    expect((await events()).slice(before)).toHaveLength(1);
    // The next sync sees the vendor agree with the index: nothing more to report.
    nextInterval();
    await stack.gateway.syncNow();
    expect((await events()).slice(before)).toHaveLength(1);
  });

  it('keeps the entry when a sync fails and tries again later, backing off and honouring Retry-After', async () => {
    const leen = sandbox.get('LEEN');
    const path = `/provisioning/organizations/${org.id}/connections`;
    const unit = { vendor: 'LEEN' as const, organizationId: org.id };
    const [kept] = await stack.gateway.connectionIndex.read('acme', [unit]);
    const failedRuns = async () => (await stack.gateway.syncNow({ due: true })).failed ?? 0;
    // Jitter moves a unit by up to 10 % of the 60 s interval: 67 s passes one interval whatever it drew.
    const interval = () => clock.advance(67_000);
    leen.addFault({ method: 'GET', pathPrefix: path, status: 503, body: { detail: 'down' } });
    try {
      interval();
      expect(await failedRuns()).toBe(1);
      expect(await stack.gateway.connectionIndex.read('acme', [unit])).toEqual([kept]);
      interval();
      expect(await failedRuns()).toBe(1);
      // The second failure in a row waits two intervals.
      interval();
      expect(await failedRuns()).toBe(0);
      interval();
      expect(await failedRuns()).toBe(1);
      leen.clearFaults();
      leen.addFault({ method: 'GET', pathPrefix: path, status: 429, headers: { 'retry-after': '600' }, body: {} });
      for (let i = 0; i < 4; i++) interval();
      expect(await failedRuns()).toBe(1);
      leen.clearFaults();
      // Ten minutes, longer than its backoff: not before.
      for (let i = 0; i < 8; i++) interval();
      expect((await stack.gateway.syncNow({ due: true })).failed ?? 0).toBe(0);
      const [after] = await stack.gateway.connectionIndex.read('acme', [unit]);
      expect(after!.version).toBe(kept!.version);
      interval();
      await stack.gateway.syncNow({ due: true });
      const [synced] = await stack.gateway.connectionIndex.read('acme', [unit]);
      expect(synced!.version).toBeGreaterThan(kept!.version);
    } finally {
      leen.clearFaults();
    }
  });
});
