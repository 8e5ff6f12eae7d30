import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/domain/connection-index.js';
import { createRedisConnectionIndexStore } from '../../src/cache/redis-connection-index-store.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { eventually } from '../cache/dashboard.js';
import { manualClock } from '../helpers/clock.js';
import { startSource, type Child } from '../helpers/processes.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Several gateway instances on one redis-server sync one index: a status flip
 * at the Leen simulator is one event whichever instances sync; an instance
 * killed (SIGKILL) in the middle of a sync loses its unit to another once its
 * lease expires, and the change is reported once; a fresh instance on the same
 * Redis reports nothing again; each tenant's log holds its own events only.
 * Reads are not cached here (the Redis cache's TTL runs on Redis' clock), so
 * each sync sees the simulator as it is.
 */

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
const TENANTS = ['acme', 'other'] as const;

describe('connection index sync across gateway instances on one Redis', () => {
  const seed = structuredClone(LEEN_SEED) as Mutable<LeenSeedOrganization[]>;
  const [org, second] = [seed[0]!, seed[1]!];
  const clock = manualClock();
  let redis: RunningRedis;
  let sandbox: RunningSandbox;
  let reader: ReturnType<typeof createRedisConnectionIndexStore>;
  const stacks: TestStack[] = [];
  let dir: string;

  const tenantsConfig = () =>
    TENANTS.map((id) => ({
      id,
      apiKeySha256: [sha256(newApiKey(id))],
      vendors: {
        leen: {
          baseUrl: sandbox.get('LEEN').url,
          apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
          organizations: seed.map((o) => ({ id: o.id, displayName: o.name })),
        },
      },
    }));
  const instanceConfig = () => ({
    tenants: tenantsConfig(),
    cache: { redisUrl: redis.url, enabled: false, commandTimeoutMs: 500 },
    sync: { enabled: true, leaseSeconds: 1, intervalSeconds: 2 },
  });
  /** An in-process instance whose sync runs only through syncNow, on the shared test clock. */
  const instance = async () => {
    const stack = await startStack({
      sharedSandbox: sandbox,
      config: instanceConfig(),
      start: { now: clock.now, backgroundSync: 'manual' },
    });
    stacks.push(stack);
    return stack;
  };
  const events = async (tenant: string): Promise<readonly ConnectionEvent[]> =>
    (await reader.readEvents(tenant, { after: null, limit: 1000 })).events;
  const statusAt = async (tenant: string, organizationId: string, key: string) =>
    (await reader.read(tenant, [{ vendor: 'LEEN', organizationId }]))[0]?.connections.find((c) => c.key === key)
      ?.status;
  /** Every unit is due again on the test clock (its syncs are older than an interval). */
  const nextInterval = () => clock.advance(60_000);

  beforeAll(async () => {
    [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ leen: { seed } })]);
    reader = createRedisConnectionIndexStore({
      url: redis.url,
      commandTimeoutMs: 2000,
      retention: { maxEntries: 1000, maxAgeSeconds: 0 },
    });
    await reader.ready();
    dir = mkdtempSync(join(tmpdir(), 'junction-sync-'));
  });
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.close()));
    await reader?.close();
    await Promise.all([sandbox?.close(), redis?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over the unit of an instance killed mid-sync: the change is reported once, and not again after a restart', async () => {
    const before = { acme: 0, other: 0 };
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ port: 0, host: '127.0.0.1', logLevel: 'info', ...instanceConfig() }));
    const child: Child = startSource('src/main.ts', [], { JUNCTION_CONFIG: configFile });
    try {
      await child.waitFor(/gateway ready/);
      await eventually('the child to index every unit', async () =>
        (
          await Promise.all(
            TENANTS.map((t) =>
              reader.read(
                t,
                seed.map((o) => ({ vendor: 'LEEN' as const, organizationId: o.id })),
              ),
            ),
          )
        )
          .flat()
          .every(Boolean),
      );
      const survivor = await instance();
      // The second organization's connection breaks, and its listing hangs: the child is caught mid-sync.
      const target = second.connections[0]!;
      target.state = 'PAUSED';
      const leen = sandbox.get('LEEN');
      leen.reset();
      const path = `/provisioning/organizations/${second.id}/connections`;
      leen.addFault({ method: 'GET', pathPrefix: path, kind: 'hang' });
      await eventually(
        'the child to list the hanging organization',
        async () => (leen.stats().byPath[`GET ${path}`] ?? 0) > 0,
      );
      child.child.kill('SIGKILL');
      leen.clearFaults();

      nextInterval();
      // Its lease expires (1 s, Redis' clock) and the survivor's next attempt takes the unit.
      await eventually('the survivor to take the unit over', async () => {
        nextInterval();
        await survivor.gateway.syncNow();
        return (
          (await statusAt('acme', second.id, target.id)) === 'PAUSED' &&
          (await statusAt('other', second.id, target.id)) === 'PAUSED'
        );
      });
      for (const tenant of TENANTS) {
        const logged = (await events(tenant)).slice(before[tenant]);
        expect(logged.map((e) => [e.type, e.connectionKey, e.after?.status])).toEqual([
          ['STATUS_CHANGED', target.id, 'PAUSED'],
        ]);
      }
      // A new instance on the same Redis (a restart) diffs against the stored index: nothing new to report.
      await survivor.close();
      stacks.splice(stacks.indexOf(survivor), 1);
      const restarted = await instance();
      nextInterval();
      const report = await restarted.gateway.syncNow();
      expect(report.committed).toBe(TENANTS.length * seed.length);
      for (const tenant of TENANTS) expect((await events(tenant)).slice(before[tenant])).toHaveLength(1);
    } finally {
      child.child.kill('SIGKILL');
    }
  });
  it('reports a status flip once with two instances syncing at once; each tenant logs its own', async () => {
    const [a, b] = [await instance(), await instance()];
    const before = Object.fromEntries(await Promise.all(TENANTS.map(async (t) => [t, (await events(t)).length])));
    nextInterval();
    const round = await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
    // Each unit synced once; the other instance found it held or already synced.
    expect(round.reduce((sum, r) => sum + (r.committed ?? 0), 0)).toBe(TENANTS.length * seed.length);
    for (const tenant of TENANTS) expect((await events(tenant)).slice(before[tenant])).toEqual([]);

    org.connections[0]!.state = 'PAUSED';
    second.connections[0]!.state = 'PAUSED';
    sandbox.get('LEEN').reset();
    nextInterval();
    await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
    nextInterval();
    await Promise.all([a.gateway.syncNow(), b.gateway.syncNow()]);
    for (const tenant of TENANTS) {
      const logged = (await events(tenant)).slice(before[tenant]);
      expect(logged.map((e) => [e.tenantId, e.type, e.connectionKey, e.before?.status, e.after?.status])).toEqual([
        [tenant, 'STATUS_CHANGED', org.connections[0]!.id, 'ACTIVE', 'PAUSED'],
      ]);
    }
  });
});
