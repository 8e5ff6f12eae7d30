/**
 * The connection index's footprint per 100,000 connections (README "Connection
 * index and sync"): 10,000 organizations of 10 Leen-shaped connections each,
 * committed to the memory store (heap after a collection, before and after)
 * and to a redis-server started here (INFO used_memory before and after, and
 * MEMORY USAGE of the keys), plus the event log's cost per event.
 *
 *   node --expose-gc --import tsx scripts/index-footprint.ts
 *   FOOTPRINT_ORGANIZATIONS (10000), FOOTPRINT_PER_ORGANIZATION (10), FOOTPRINT_EVENTS (10000)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startGateway } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../src/sandbox/credentials.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import { createMemoryConnectionIndexStore } from '../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../src/cache/lease-store.js';
import { createRedisConnectionIndexStore } from '../src/cache/redis-connection-index-store.js';
import { diffConnections } from '../src/domain/connection-changes.js';
import type { ConnectionIndexStore } from '../src/domain/connection-index.js';
import { connectionGlobalId } from '../src/domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS } from '../src/domain/models.js';

const count = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ORGANIZATIONS = count('FOOTPRINT_ORGANIZATIONS', 10_000);
const PER_ORGANIZATION = count('FOOTPRINT_PER_ORGANIZATION', 10);
const EVENTS = count('FOOTPRINT_EVENTS', 10_000);
const TENANT = 'footprint';
const PROVIDERS = ['CROWDSTRIKE', 'TENABLE', 'QUALYS', 'SENTINELONE', 'RAPID7'];

/** A connection as the Leen adapter maps one (every field filled, a health object, its own objects). */
function connection(organizationId: string, i: number): ConnectionModel {
  const slug = PROVIDERS[i % PROVIDERS.length]!;
  const key = randomUUID();
  return {
    id: connectionGlobalId('LEEN', organizationId, key),
    vendor: 'LEEN',
    organizationId,
    key,
    externalId: randomUUID(),
    provider: {
      vendor: 'LEEN',
      slug,
      displayName: slug[0] + slug.slice(1).toLowerCase(),
      description: null,
      category: 'security',
      scopeOrganizationId: organizationId,
    },
    status: 'ACTIVE',
    vendorStatus: 'ACTIVE',
    health: {
      name: 'HEALTHY',
      status: 'HEALTHY',
      description: 'Connection is healthy',
      resolutionOwner: 'LEEN',
      details: [],
    },
    accountIdentifier: `org-${i}-${slug.toLowerCase()}-prod`,
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    createdAt: '2024-05-02T10:15:00.000Z',
    updatedAt: '2024-06-01T08:00:00.000Z',
  };
}

const organizations = Array.from({ length: ORGANIZATIONS }, () => randomUUID());

async function fill(store: ConnectionIndexStore): Promise<void> {
  const syncedAt = new Date().toISOString();
  for (let start = 0; start < organizations.length; start += 100) {
    await Promise.all(
      organizations.slice(start, start + 100).map(async (organizationId) => {
        const connections = Array.from({ length: PER_ORGANIZATION }, (_, i) => connection(organizationId, i)).sort(
          (a, b) => (a.key < b.key ? -1 : 1),
        );
        const unit = { tenantId: TENANT, vendor: 'LEEN' as const, organizationId };
        const result = await store.commit(unit, {
          expectedVersion: null,
          syncedAt,
          connections,
          events: [],
          lease: null,
        });
        if (result.status !== 'committed') throw new Error('commit refused');
      }),
    );
  }
}

/** EVENTS status changes (ACTIVE → ERROR with their before/after), committed as syncs would. */
async function appendEvents(store: ConnectionIndexStore): Promise<void> {
  const time = new Date().toISOString();
  for (let i = 0; i < EVENTS; i++) {
    const organizationId = organizations[i % organizations.length]!;
    const unit = { tenantId: TENANT, vendor: 'LEEN' as const, organizationId };
    const [entry] = await store.read(TENANT, [unit]);
    const after = entry!.connections.map((c, j) =>
      j === 0 ? { ...c, status: c.status === 'ACTIVE' ? ('ERROR' as const) : ('ACTIVE' as const) } : c,
    );
    const events = diffConnections(entry!.connections, after, { unit, time, source: { kind: 'SYNC' } });
    await store.commit(unit, {
      expectedVersion: entry!.version,
      syncedAt: time,
      connections: after,
      events,
      lease: null,
    });
  }
}

const gc = () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
};
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const connections = ORGANIZATIONS * PER_ORGANIZATION;
const per100k = (bytes: number) => mib((bytes * 100_000) / connections);

async function memory(): Promise<void> {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  gc();
  const before = process.memoryUsage().heapUsed;
  const leases = createMemoryLeaseStore({ owner: 'footprint' });
  const store = createMemoryConnectionIndexStore({ retention: { maxEntries: EVENTS, maxAgeSeconds: 0 }, leases });
  await fill(store);
  gc();
  const filled = process.memoryUsage().heapUsed;
  await appendEvents(store);
  gc();
  const logged = process.memoryUsage().heapUsed;
  console.log(
    `memory store: ${connections} connections in ${ORGANIZATIONS} organizations: heap +${mib(filled - before)} (${per100k(filled - before)} per 100,000 connections)`,
  );
  console.log(
    `memory store: ${EVENTS} events: heap +${mib(logged - filled)} (${((logged - filled) / EVENTS / 1024).toFixed(2)} KiB per event; events share the entries' objects)`,
  );
  void store;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function redis(): Promise<void> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  admin.on('error', () => {});
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await admin.connect().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    const store = createRedisConnectionIndexStore({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 10_000,
      retention: { maxEntries: EVENTS, maxAgeSeconds: 0 },
    });
    await store.ready();
    const before = await used();
    await fill(store);
    const filled = await used();
    let keys = 0;
    let usage = 0;
    for await (const batch of admin.scanStream({ match: 'junction:*', count: 1000 }) as AsyncIterable<string[]>)
      for (const key of batch) {
        keys += 1;
        usage += (await admin.memory('USAGE', key, 'SAMPLES', '0')) ?? 0;
      }
    await appendEvents(store);
    const logged = await used();
    const streamUsage = (await admin.memory('USAGE', `junction:{${TENANT}}:index:v1:events`, 'SAMPLES', '0')) ?? 0;
    console.log(
      `redis: ${connections} connections: used_memory +${mib(filled - before)} (${per100k(filled - before)} per 100,000 connections); MEMORY USAGE of its ${keys} keys ${mib(usage)}`,
    );
    console.log(
      `redis: ${EVENTS} events: used_memory +${mib(logged - filled)}, the stream's MEMORY USAGE ${mib(streamUsage)} (${(streamUsage / EVENTS / 1024).toFixed(2)} KiB per event)`,
    );
    await store.close();
  } finally {
    admin.disconnect();
    child.kill('SIGKILL');
  }
}

/** One gateway syncing a tenant of SYNC_ORGANIZATIONS Leen organizations on the sandbox: vendor calls and time per round. */
async function syncRate(): Promise<void> {
  const size = count('SYNC_ORGANIZATIONS', 1000);
  const seed = Array.from({ length: size }, (_, o) => ({
    id: randomUUID(),
    name: `Organization ${o}`,
    connections: Array.from({ length: PER_ORGANIZATION }, (_, i) => ({
      id: randomUUID(),
      vendor: PROVIDERS[i % PROVIDERS.length]!,
      state: 'ACTIVE' as const,
      identifier: `org-${o}-${i}`,
      health: 'HEALTHY' as const,
    })),
  }));
  const sandbox = await startSandbox({ leen: { seed } });
  let time = Date.now();
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      sync: { enabled: true },
      tenants: [
        {
          id: 'rate',
          apiKeySha256: ['0'.repeat(64)],
          vendors: {
            leen: {
              baseUrl: sandbox.get('LEEN').url,
              apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
              organizations: seed.map((o) => ({ id: o.id, displayName: o.name })),
            },
          },
        },
      ],
    },
  );
  const gateway = await startGateway(config, {
    logger: createLogger('silent'),
    now: () => time,
    backgroundSync: 'manual',
  });
  try {
    for (const round of ['baseline', 'steady']) {
      const served = sandbox.totalRequests();
      const started = performance.now();
      const report = await gateway.syncNow();
      const seconds = (performance.now() - started) / 1000;
      const calls = sandbox.totalRequests() - served;
      console.log(
        `sync (${round}): ${size} organizations, ${calls} vendor calls in ${seconds.toFixed(2)} s (${(calls / size).toFixed(2)} per organization, ${(size / seconds).toFixed(0)} organizations/s at concurrency ${config.sync.concurrency}) ${JSON.stringify(report)}`,
      );
      time += 61_000;
    }
  } finally {
    await gateway.close(0, 0);
    await sandbox.close();
  }
}

await memory();
await redis();
await syncRate();
