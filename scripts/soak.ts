/**
 * Soak: mixed queries and mutations against a gateway and the vendor sandbox on
 * loopback, with faults injected into one vendor after another, for a bounded
 * time. Reports errors by code, latency, and memory over time. Not part of the
 * test suite: `npm run soak` (SOAK_SECONDS=180 by default).
 *
 *   SOAK_SECONDS       duration (default 180)
 *   SOAK_CONCURRENCY   clients sending requests back to back (default 8)
 *   SOAK_SAMPLE_SECONDS  memory and progress sample interval (default 10)
 *   SOAK_FAULT_SECONDS   how long each injected fault lasts (default 6)
 *
 * Everything runs in this process (gateway and simulators), so the memory
 * figures include the sandbox; run with --expose-gc (npm run soak does) to
 * sample heap after a collection, which shows growth rather than garbage.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startGateway } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import type { Vendor } from '../src/domain/models.js';
import { createLogger } from '../src/observability/logger.js';
import { demoTenantConfig } from '../src/sandbox/demo-config.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import type { FaultSpec } from '../src/sandbox/simulator.js';

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const DURATION_S = seconds('SOAK_SECONDS', 180);
const CONCURRENCY = Math.floor(seconds('SOAK_CONCURRENCY', 8));
const SAMPLE_S = seconds('SOAK_SAMPLE_SECONDS', 10);
const FAULT_S = seconds('SOAK_FAULT_SECONDS', 6);

const FAULTS: readonly { name: string; spec: FaultSpec }[] = [
  { name: '503', spec: { status: 503, body: { error: 'down' } } },
  { name: 'reset', spec: { kind: 'reset' } },
  { name: 'hang', spec: { kind: 'hang' } },
  { name: 'stall', spec: { kind: 'stall' } },
  { name: '429 Retry-After 1', spec: { status: 429, headers: { 'retry-after': '1' } } },
  { name: 'malformed', spec: { kind: 'malformed' } },
  { name: 'contract-breaking', spec: { status: 200, body: 42 } },
  { name: 'latency 300ms', spec: { latencyMs: 300 } },
];

const DASHBOARD = `query Dashboard { organizations { id vendor displayName connections { id status provider { slug displayName } actions { name } } } }`;
const SEARCH = `query Search { connections(filter: { status: [ACTIVE, ERROR, PAUSED] }) { totalCount nodes { id } vendorErrors { vendor code } } }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id ... on Connection { status vendorStatus } } }`;
const DELETE_DRY = `mutation DeleteDry($id: ID!) { deleteConnection(input: { connectionId: $id, confirmConnectionId: $id, dryRun: true }) { dryRun userErrors { code } } }`;
const DISCONNECT_DRY = `mutation DisconnectDry($id: ID!) { disconnectIntegration(input: { connectionId: $id, dryRun: true }) { dryRun userErrors { code } } }`;
const SHARING = `mutation Share($id: ID!, $teams: [String!]!) { updateSharing(input: { connectionId: $id, teamKeys: $teams }) { userErrors { code } } }`;

interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: string } }[];
}

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  const apiKey = `jk_soak_${randomBytes(12).toString('hex')}`;
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      // Short TTLs, so most operations reach the vendors (and their faults) instead of the cache.
      cache: { ttlSeconds: { organization: 1, connections: 1, providers: 1 } },
      upstream: {
        timeoutMs: 1000,
        retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 1500 },
        breaker: { failureThreshold: 5, halfOpenAfterMs: 3000 },
      },
      tenants: [demoTenantConfig(sandbox, 'soak', apiKey)],
    },
  );
  const gateway = await startGateway(config, { logger: createLogger('silent') });
  const vendors = [...sandbox.simulators.keys()];
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlBody };
  };

  // Connection IDs to aim node reads and mutations at, per vendor.
  const seed = await gql(DASHBOARD);
  const connections = ((seed.body.data?.organizations ?? []) as { vendor: Vendor; connections: { id: string }[] }[])
    .flatMap((o) => (o?.connections ?? []).map((c) => ({ vendor: o.vendor, id: c.id })))
    .filter((c) => c.id);
  if (connections.length === 0) throw new Error('the sandbox returned no connections to soak with');
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

  const operations: { name: string; weight: number; run: () => Promise<{ status: number; body: GqlBody }> }[] = [
    { name: 'Dashboard', weight: 40, run: () => gql(DASHBOARD) },
    { name: 'Search', weight: 20, run: () => gql(SEARCH) },
    { name: 'Node', weight: 15, run: () => gql(NODE, { id: pick(connections).id }) },
    { name: 'DeleteDry', weight: 10, run: () => gql(DELETE_DRY, { id: pick(connections).id }) },
    { name: 'DisconnectDry', weight: 10, run: () => gql(DISCONNECT_DRY, { id: pick(connections).id }) },
    {
      name: 'Share',
      weight: 5,
      run: () => gql(SHARING, { id: pick(connections).id, teams: [pick(['eng', 'ops', 'sales'])] }),
    },
  ];
  const totalWeight = operations.reduce((sum, o) => sum + o.weight, 0);
  const chooseOperation = () => {
    let roll = Math.random() * totalWeight;
    for (const operation of operations) if ((roll -= operation.weight) < 0) return operation;
    return operations[0]!;
  };

  const errorsByCode = new Map<string, number>();
  const payloadCodes = new Map<string, number>();
  const outcomes = { ok: 0, partial: 0, error: 0, http: 0 };
  const latencies: number[] = [];
  const count = (code: string) => errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + 1);

  const started = performance.now();
  const deadline = started + DURATION_S * 1000;
  const elapsed = () => (performance.now() - started) / 1000;

  // Faults: one vendor and one fault class at a time, then a healthy pause of the same length.
  const faultLog: string[] = [];
  let faultIndex = 0;
  const faultTimer = setInterval(() => {
    for (const vendor of vendors) sandbox.get(vendor).clearFaults();
    if (faultIndex % 2 === 0) {
      const vendor = vendors[(faultIndex / 2) % vendors.length]!;
      const fault = FAULTS[Math.floor(faultIndex / 2) % FAULTS.length]!;
      sandbox.get(vendor).addFault(fault.spec);
      faultLog.push(`${elapsed().toFixed(0)}s ${vendor} ${fault.name}`);
    }
    faultIndex += 1;
  }, FAULT_S * 1000);

  const samples: { t: number; rssMb: number; heapMb: number; requests: number }[] = [];
  const sample = () => {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const row = {
      t: Math.round(elapsed()),
      rssMb: Math.round(memory.rss / 1048576),
      heapMb: Math.round((memory.heapUsed / 1048576) * 10) / 10,
      requests: latencies.length,
    };
    samples.push(row);
    console.log(
      `[soak] t=${row.t}s requests=${row.requests} rss=${row.rssMb}MB heapUsed=${row.heapMb}MB ok=${outcomes.ok} partial=${outcomes.partial} error=${outcomes.error}`,
    );
  };
  sample();
  const sampleTimer = setInterval(sample, SAMPLE_S * 1000);

  async function client(): Promise<void> {
    while (performance.now() < deadline) {
      const operation = chooseOperation();
      const t0 = performance.now();
      try {
        const { status, body } = await operation.run();
        latencies.push(performance.now() - t0);
        if (status !== 200) {
          outcomes.http += 1;
          count(`HTTP_${status}`);
          continue;
        }
        for (const error of body.errors ?? []) count(error.extensions?.code ?? 'NO_CODE');
        const data = JSON.stringify(body.data ?? null);
        for (const m of data.matchAll(/"code":"([A-Z_]+)"/g))
          payloadCodes.set(m[1]!, (payloadCodes.get(m[1]!) ?? 0) + 1);
        if (!body.errors?.length) outcomes.ok += 1;
        else if (body.data) outcomes.partial += 1;
        else outcomes.error += 1;
      } catch (error) {
        latencies.push(performance.now() - t0);
        outcomes.http += 1;
        count(`CLIENT_${(error as Error).name}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  clearInterval(faultTimer);
  clearInterval(sampleTimer);
  sample();

  const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
  const sumOf = (name: string) =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  const report = {
    durationSeconds: Math.round(elapsed()),
    concurrency: CONCURRENCY,
    vendors,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsed()),
    outcomes,
    latencyMs: {
      p50: Math.round(pct(50)),
      p95: Math.round(pct(95)),
      p99: Math.round(pct(99)),
      max: Math.round(pct(100)),
    },
    /** GraphQL errors (extensions.code), one per failing field. */
    errorsByCode: Object.fromEntries([...errorsByCode].sort((a, b) => b[1] - a[1])),
    /** userErrors and vendorErrors codes inside data (expected answers: dry runs on vendors without the operation…). */
    payloadCodes: Object.fromEntries([...payloadCodes].sort((a, b) => b[1] - a[1])),
    upstream: {
      attempts: sumOf('junction_upstream_request_duration_seconds_count'),
      retries: sumOf('junction_upstream_retries_total'),
      breakerRejections: sumOf('junction_upstream_breaker_rejections_total'),
      cacheHits: metrics
        .split('\n')
        .filter((l) => l.startsWith('junction_cache_lookups_total{') && l.includes('result="hit"'))
        .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0),
    },
    memory: samples,
    faults: faultLog,
  };
  console.log(JSON.stringify(report, null, 2));
  await gateway.close(1000);
  await sandbox.close();
}

main().catch((error: unknown) => {
  console.error('soak failed:', error);
  process.exit(1);
});
