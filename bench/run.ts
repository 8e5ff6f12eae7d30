import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseCommandLine } from '../src/command-line.js';
import { encodeGlobalId } from '../src/domain/global-id.js';
import { NODE_HEAP_FLAGS, NODE_MALLOC_ENV } from '../src/heap-growth.js';
import type { Vendor } from '../src/domain/models.js';
import { drive, sandboxReset, sandboxStats, sendOnce, type RunFigures, type Scenario } from './drive.js';
import { freePort, startProcess, stopAll, type BenchProcess } from './processes.js';
import { checkTargets, round, summarise, table, type RssFigures } from './report.js';
import { liveHeapMb } from './heap-probe.js';
import { pageOrganizations, pageScenarios, pageTenants } from './pages.js';
import { measureWebhookLatency } from './webhook-latency.js';

/**
 * `npm run bench`: Junction against the direct-call floor.
 *
 * Starts, as separate processes: the vendor sandbox (dist/sandbox/cli.js, a
 * generated Leen seed of ORGANIZATIONS organizations), a redis-server when one
 * is installed, two gateways from the built JS (dist/main.js; one with
 * `cache.enabled: false`, one with the cache on and REDIS_URL), and the floor
 * (bench/floor.mjs). Then drives each scenario with autocannon for a fixed
 * duration, each run between two runs of its floor (the list or the
 * dashboard) and after a second of the same load that is not recorded,
 * scenarios rotated round after round, and prints a table and, as
 * the last line, one JSON object with every figure. Targets are ratios to the
 * mean of the two floor runs around each run.
 *
 * Cold scenarios read a different organization on every request (rotating
 * through all of them), so no two requests in flight share a vendor call: the
 * cost of a cold request, not of single flight (which `listSameOrgCacheOff`
 * measures on its own). Options: USAGE below (`npm run bench -- --help`).
 */

const USAGE = `Usage: npm run bench [-- OPTIONS]

Junction against the direct-call floor (README, Benchmarks); the last line printed is a JSON report.

  --quick               one 1-second round, 10 connections, 1,000 organizations (what the test suite runs)
  --duration S          seconds per measured run (default 5)
  --rounds N            measured rounds after the warm-up round (default 3)
  --connections N       concurrent connections (default 50)
  --only KEY[,KEY]      these scenarios only (their floors always run); keys as in the JSON report,
                        e.g. listCacheOff, listWarm, dashboardCacheOff; webhookLatency for the webhook timing
  --profile             gateways under node --cpu-prof (.bench/profiles; npx tsx bench/profile-summary.ts)
  --rate-limits         gateways count rate limits, set too high to refuse
  --node-args "FLAGS"   extra node flags for the gateways
  --keep-logs           keep each gateway's stdout in .bench/NAME.log
  --help                this text
`;

const { values: args } = parseCommandLine('npm run bench', USAGE, {
  options: {
    help: { type: 'boolean', short: 'h', default: false },
    quick: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string' },
    /** Start the gateways under `node --cpu-prof` (profiles in .bench/profiles; the floor's in .bench/profiles/floor). */
    profile: { type: 'boolean', default: false },
    /**
     * Comma-separated scenario keys to run (their floors always run), e.g. `--only listCacheOff` to profile one;
     * the change-to-webhook latency runs only when the list names `webhookLatency`.
     */
    only: { type: 'string' },
    /** Rate limits on, counted but never reached (off otherwise: the gateways run in production mode). */
    'rate-limits': { type: 'boolean', default: false },
    /** Extra node flags for the gateways, after the heap flags (so they win), e.g. `--node-args="--trace-gc-nvp"`. */
    'node-args': { type: 'string' },
    /** Keep each gateway's stdout (its log lines, and what --node-args traces) in .bench/NAME.log. */
    'keep-logs': { type: 'boolean', default: false },
  },
});

const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
};
const settings = {
  durationSeconds: args.quick ? 1 : positive('duration', args.duration),
  rounds: args.quick ? 1 : Math.round(positive('rounds', args.rounds)),
  connections: Math.round(positive('connections', args.connections ?? (args.quick ? '10' : '50'))),
  warmupSeconds: args.quick ? 0 : positive('duration', args.duration),
  /** Before each measured run, a second of the same load, not recorded (drive.ts says why). */
  primeSeconds: args.quick ? 0 : 1,
};

const ROOT = join(import.meta.dirname, '..');
const WORK = join(ROOT, '.bench');
/**
 * Leen organizations in the sandbox: cold scenarios rotate through them. 50 connections × 20 organizations per
 * dashboard are 1,000 organizations in flight at once; with four times as many, no two dashboards in flight share one.
 */
const ORGANIZATIONS = args.quick ? 1_000 : 4_000;
const CONNECTIONS_PER_ORGANIZATION = 20;
const DASHBOARD_SIZE = 20;
/** The tenant-size pair: the same 200 organizations read through 40 tenants of 5, or one tenant of 10,000. */
const SIZE_READS = 200;
const SMALL_TENANT_ORGANIZATIONS = 5;
const LARGE_TENANT_ORGANIZATIONS = 10_000;
/** Enough distinct connections for one round of deletes at several thousand per second; re-seeded every round. */
const BULK_CONNECTIONS = args.quick ? 2_000 : 30_000;
const MB = 1024 * 1024;

const LIST_QUERY = `query List($id: ID!) {
  organization(id: $id) {
    connections { id externalId status vendorStatus accountIdentifier health { status description } provider { slug displayName } }
  }
}`;
const DASHBOARD_QUERY = `query Dashboard($ids: [ID!]) {
  organizations(ids: $ids) {
    id vendor displayName
    connections {
      id status vendorStatus
      health { name status description resolutionOwner }
      provider { slug displayName }
      actions { name displayName }
    }
  }
}`;
const DELETE_MUTATION = `mutation Delete($id: ID!) {
  deleteConnection(input: { connectionId: $id }) { connection { id status } userErrors { code message } }
}`;

// ---------------------------------------------------------------- processes

interface SandboxInfo {
  readonly urls: Record<Vendor, string>;
  readonly tenant: Record<string, unknown> & { vendors: { leen: { apiKey: string; baseUrl: string } } };
  readonly organizations: readonly { vendor: Vendor; id: string }[];
  readonly leen: readonly { id: string; connections: number }[];
  readonly bulk: { vendor: Vendor; id: string; connectionIds: readonly string[] };
}

const INHERITED_SETTINGS = ['PORT', 'HOST', 'LOG_LEVEL', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'JUNCTION_CONFIG'];
const baseEnv = () => {
  const env = { ...process.env };
  for (const name of INHERITED_SETTINGS) delete env[name];
  return env;
};

async function startSandbox(apiKey: string) {
  const { process: proc, line } = await startProcess(
    'sandbox',
    process.execPath,
    [
      join(ROOT, 'dist/sandbox/cli.js'),
      '--json',
      '--base-port=0',
      `--organizations=${ORGANIZATIONS}`,
      `--connections=${CONNECTIONS_PER_ORGANIZATION}`,
      `--bulk-connections=${BULK_CONNECTIONS}`,
    ],
    { env: { ...baseEnv(), JUNCTION_DEMO_KEY: apiKey }, ready: { line: (l) => l.startsWith('{') } },
  );
  return { process: proc, info: JSON.parse(line!) as SandboxInfo };
}

/** The tenant pages are measured on: SCALE_ORGANIZATIONS generated organizations (half Leen, half UserHub) of 10 connections each. */
const SCALE_ORGANIZATIONS = 10_000;
/** Tenants of the same organizations, each with its own index: enough never-indexed pages for every cold run and its prime. */
const COLD_PAGE_TENANTS = args.quick ? 2 : 9;

async function startScaleSandbox() {
  const { process: proc, line } = await startProcess(
    'sandbox-scale',
    process.execPath,
    [join(ROOT, 'dist/sandbox/cli.js'), '--json', '--base-port=0', `--scale=${SCALE_ORGANIZATIONS}`],
    { env: baseEnv(), ready: { line: (l) => l.startsWith('{') } },
  );
  return { process: proc, info: JSON.parse(line!) as SandboxInfo };
}

async function startRedis(): Promise<{ process: BenchProcess; url: string } | null> {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const { process: proc } = await startProcess(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      ready: {
        probe: async () => {
          const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          client.on('error', () => undefined); // not up yet: the probe answers false and tries again
          try {
            await client.connect();
            return (await client.ping()) === 'PONG';
          } catch {
            return false;
          } finally {
            client.disconnect();
          }
        },
      },
    },
  );
  return { process: proc, url };
}

const UNREACHABLE = { points: 1_000_000_000, windowSeconds: 60 };
const BENCH_RATE_LIMITS = args['rate-limits']
  ? {
      enabled: true,
      keyRequests: UNREACHABLE,
      tenantRequests: UNREACHABLE,
      keyCost: UNREACHABLE,
      tenantCost: UNREACHABLE,
      vendorCalls: UNREACHABLE,
    }
  : { enabled: false };

/** `inspectPort`: the inspector listens there (loopback), for the heap probe. */
async function startGateway(
  name: string,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  inspectPort?: number,
) {
  const port = await freePort();
  const file = join(WORK, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...config, rateLimits: BENCH_RATE_LIMITS, port, host: '127.0.0.1' }, null, 2));
  const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(WORK, 'profiles')}`] : [];
  const url = `http://127.0.0.1:${port}`;
  // Node's heap flags as `npm start` and the image pass them (Node 24 takes them from the command line only).
  const extraArgs = args['node-args']?.split(/\s+/).filter(Boolean) ?? [];
  const inspectArgs = inspectPort === undefined ? [] : [`--inspect=127.0.0.1:${inspectPort}`];
  const nodeArgs = [...profileArgs, ...inspectArgs, ...NODE_HEAP_FLAGS, ...extraArgs, join(ROOT, 'dist/main.js')];
  const { process: proc } = await startProcess(name, process.execPath, nodeArgs, {
    // The environment `npm start` and the image set (malloc arenas); one the bench is run with wins, like --node-args.
    env: { ...NODE_MALLOC_ENV, ...baseEnv(), ...env, JUNCTION_CONFIG: file, NODE_ENV: 'production' },
    ...(args['keep-logs'] && { stdoutFile: join(WORK, `${name}.log`) }),
    ready: {
      probe: () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
    },
  });
  return { process: proc, url: `${url}/graphql` };
}

async function startFloor(upstreamUrl: string, headers: Record<string, string>) {
  const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(WORK, 'profiles', 'floor')}`] : [];
  const { process: proc, line } = await startProcess(
    'floor',
    process.execPath,
    [...profileArgs, join(ROOT, 'bench/floor.mjs')],
    {
      env: { ...baseEnv(), FLOOR_UPSTREAM_URL: upstreamUrl, FLOOR_UPSTREAM_HEADERS: JSON.stringify(headers) },
      ready: { line: (l) => l.startsWith('{') },
    },
  );
  return { process: proc, url: (JSON.parse(line!) as { url: string }).url };
}

// ---------------------------------------------------------------- tenants of the tenant-size pair

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A well-formed Leen organization id the sandbox does not know: configured, never read. */
const unreadOrganization = (i: number) => `${(0x7e000000 + i).toString(16)}-0000-4000-8000-${'0'.repeat(12)}`;

function sizeTenants(leen: SandboxInfo['tenant']['vendors']['leen'], read: readonly string[]) {
  const leenWith = (organizations: readonly string[]) => ({
    baseUrl: leen.baseUrl,
    apiKey: leen.apiKey,
    organizations: organizations.map((id) => ({ id })),
  });
  const small = Array.from({ length: read.length / SMALL_TENANT_ORGANIZATIONS }, (_, i) => {
    const apiKey = `jk_bench_small_${i}_${randomBytes(9).toString('base64url')}`;
    const organizations = read.slice(i * SMALL_TENANT_ORGANIZATIONS, (i + 1) * SMALL_TENANT_ORGANIZATIONS);
    return {
      apiKey,
      organizations,
      config: { id: `bench-small-${i}`, apiKeySha256: [sha256(apiKey)], vendors: { leen: leenWith(organizations) } },
    };
  });
  const largeKey = `jk_bench_large_${randomBytes(18).toString('base64url')}`;
  // The organizations read come last: a per-request scan of the list would cost its whole length.
  const unread = Array.from({ length: LARGE_TENANT_ORGANIZATIONS - read.length }, (_, i) => unreadOrganization(i));
  const large = {
    apiKey: largeKey,
    config: { id: 'bench-large', apiKeySha256: [sha256(largeKey)], vendors: { leen: leenWith([...unread, ...read]) } },
  };
  return { small, large };
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  mkdirSync(WORK, { recursive: true });
  const apiKey = `jk_bench_${randomBytes(18).toString('base64url')}`;
  const started = Date.now();
  const log = (message: string) =>
    process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

  const sandbox = await startSandbox(apiKey);
  const info = sandbox.info;
  const sandboxUrls = Object.values(info.urls);
  log(`sandbox: ${sandboxUrls.join(', ')} (${info.leen.length} Leen organizations)`);
  const redis = await startRedis();
  log(redis ? `redis: ${redis.url}` : 'redis-server not installed (bash scripts/ensure-redis.sh): no Redis');

  const scale = await startScaleSandbox();
  const scaleUrls = Object.values(scale.info.urls);
  type ScaleVendor = { baseUrl: string; apiKey: string; organizations: { id: string }[] };
  const scaleVendors = scale.info.tenant.vendors as unknown as { leen: ScaleVendor; userhub: ScaleVendor };
  const pagesTenants = pageTenants(scaleVendors, COLD_PAGE_TENANTS);
  log(
    `scale sandbox: ${scaleVendors.leen.organizations.length} Leen and ${scaleVendors.userhub.organizations.length} UserHub organizations of 10 connections`,
  );

  const leenIds = info.leen.map((o) => o.id);
  if (leenIds.length < SIZE_READS) throw new Error('the sandbox seeded too few Leen organizations');
  const size = sizeTenants(info.tenant.vendors.leen, leenIds.slice(0, SIZE_READS));

  // Cached reads outlive the whole run (default TTLs are 30-300 s), so "warm" stays warm from one round to the next.
  const warmTtls = { organization: 3600, connections: 3600, providers: 3600 };
  const inspectPorts = { cacheOff: await freePort(), cacheOn: await freePort() };
  const [cold, warm, floor] = await Promise.all([
    startGateway(
      'gateway-cache-off',
      {
        logLevel: 'info',
        tenants: [info.tenant, ...size.small.map((t) => t.config), size.large.config],
        cache: { enabled: false },
      },
      {},
      inspectPorts.cacheOff,
    ),
    startGateway(
      'gateway-cache-on',
      { logLevel: 'info', tenants: [info.tenant], cache: { enabled: true, ttlSeconds: warmTtls } },
      redis ? { REDIS_URL: redis.url } : {},
      inspectPorts.cacheOn,
    ),
    startFloor(`${info.urls.LEEN}/provisioning/organizations`, { 'x-api-key': info.tenant.vendors.leen.apiKey }),
  ]);
  // Pages: its own gateway (cache off, index in memory, no background sync), so the others' RSS stays comparable.
  const pagesGateway = await startGateway(
    'gateway-pages',
    {
      logLevel: 'info',
      tenants: [...pagesTenants.cold.map((t) => t.config), pagesTenants.warm.config],
      cache: { enabled: false },
    },
    {},
  );
  log(`gateways: ${cold.url} (cache off), ${warm.url} (cache on); floor: ${floor.url}`);

  const organizationId = (o: { vendor: Vendor; id: string }) =>
    encodeGlobalId({ typename: 'Organization', vendor: o.vendor, organizationId: o.id, keys: [] });
  const leenGlobalIds = leenIds.map((id) => organizationId({ vendor: 'LEEN', id }));
  const gqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const listBody = (id: string) => JSON.stringify({ query: LIST_QUERY, variables: { id } });
  const dashboardBody = (ids: readonly string[]) => JSON.stringify({ query: DASHBOARD_QUERY, variables: { ids } });
  const noErrors = (text: string) => !text.includes('"errors"');

  /** Each call the next index of a rotation over `n`; concurrent requests read distinct organizations. */
  const rotation = (n: number) => {
    let next = 0;
    return () => (next = (next + 1) % n);
  };
  const nextList = rotation(leenIds.length);
  const nextDashboard = rotation(Math.floor(leenIds.length / DASHBOARD_SIZE));
  const dashboardSlice = <T>(all: readonly T[], i: number) => all.slice(i * DASHBOARD_SIZE, (i + 1) * DASHBOARD_SIZE);
  const nextSize = rotation(SIZE_READS);

  // The warm scenarios rotate over a few organizations (or dashboards), all primed before each run.
  const WARM_LISTS = 20;
  const nextWarmList = rotation(WARM_LISTS);
  const warmDashboardIds = dashboardSlice(leenGlobalIds, 0);

  // The cross-vendor dashboard: the first organization of each vendor (upstream calls = distinct resources).
  const firstOfEachVendor = info.organizations.filter((o, i, all) => all.findIndex((p) => p.vendor === o.vendor) === i);
  const crossVendorBody = dashboardBody(firstOfEachVendor.map(organizationId));

  const deleteIds = info.bulk.connectionIds.map((key) =>
    encodeGlobalId({ typename: 'Connection', vendor: info.bulk.vendor, organizationId: info.bulk.id, keys: [key] }),
  );
  let deleteCursor = 0;
  const isList = (text: string) => text.startsWith('[');
  const hasConnections = (text: string) => noErrors(text) && text.includes('"connections":[{');

  const pages = pageScenarios({
    url: pagesGateway.url,
    server: pagesGateway.process,
    organizations: pageOrganizations(scaleVendors),
    tenants: pagesTenants,
    send: sendOnce,
  });
  const upstreamOf = (s: Scenario) => (pages.scenarios.includes(s) ? scaleUrls : sandboxUrls);

  const allScenarios: Scenario[] = [
    {
      key: 'floorList',
      label: 'floor: node:http + undici, one organization (rotating)',
      url: floor.url,
      server: floor.process,
      method: 'GET',
      headers: {},
      request: () => ({ path: `/organizations/${leenIds[nextList()]}` }),
      check: isList,
    },
    {
      key: 'floorDashboard',
      label: `floor: ${DASHBOARD_SIZE} concurrent undici calls, merged (rotating)`,
      url: floor.url,
      server: floor.process,
      method: 'GET',
      headers: {},
      request: () => ({ path: `/dashboard?ids=${dashboardSlice(leenIds, nextDashboard()).join(',')}` }),
      check: isList,
    },
    {
      key: 'listCacheOff',
      label: 'list, cache off, distinct organizations (cold)',
      floor: 'floorList',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      request: () => ({ body: listBody(leenGlobalIds[nextList()]!) }),
      check: hasConnections,
    },
    {
      key: 'dashboardCacheOff',
      label: `dashboard, ${DASHBOARD_SIZE} distinct organizations, cache off (cold)`,
      floor: 'floorDashboard',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      request: () => ({ body: dashboardBody(dashboardSlice(leenGlobalIds, nextDashboard())) }),
      check: hasConnections,
    },
    {
      key: 'listWarm',
      label: `list, warm cache (${WARM_LISTS} organizations)`,
      floor: 'floorList',
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      request: () => ({ body: listBody(leenGlobalIds[nextWarmList()]!) }),
      check: hasConnections,
      prepare: async () => {
        for (const id of leenGlobalIds.slice(0, WARM_LISTS))
          await sendOnce(
            allScenarios.find((s) => s.key === 'listWarm')!,
            { body: listBody(id) },
          );
      },
    },
    {
      key: 'dashboardWarm',
      label: `dashboard, ${DASHBOARD_SIZE} organizations, warm cache`,
      floor: 'floorDashboard',
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      request: { body: dashboardBody(warmDashboardIds) },
      check: hasConnections,
      prepare: async () => void (await sendOnce(allScenarios.find((s) => s.key === 'dashboardWarm')!)),
    },
    {
      key: 'listSameOrgCacheOff',
      label: 'deduplication: list, cache off, one organization for all',
      floor: 'floorList',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      request: { body: listBody(leenGlobalIds[0]!) },
      check: hasConnections,
    },
    {
      key: 'listSmallTenants',
      label: `tenant size: list, cache off, ${SMALL_TENANT_ORGANIZATIONS}-organization tenants`,
      floor: 'floorList',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      request: () => {
        const i = nextSize();
        const tenant = size.small[Math.floor(i / SMALL_TENANT_ORGANIZATIONS)]!;
        return { body: listBody(leenGlobalIds[i]!), headers: { authorization: `Bearer ${tenant.apiKey}` } };
      },
      check: hasConnections,
    },
    {
      key: 'listLargeTenant',
      label: `tenant size: list, cache off, a ${LARGE_TENANT_ORGANIZATIONS.toLocaleString('en')}-organization tenant`,
      floor: 'floorList',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: { ...gqlHeaders, authorization: `Bearer ${size.large.apiKey}` },
      request: () => ({ body: listBody(leenGlobalIds[nextSize()]!) }),
      check: hasConnections,
    },
    {
      // Not a target: the fixed cost every uncached GraphQL request pays (HTTP, authentication, context and
      // Apollo's request pipeline) with no field to resolve, the ceiling on what a cold list can reach.
      key: 'typenameCacheOff',
      label: 'reference: `{ __typename }`, cache off',
      floor: 'floorList',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      request: { body: JSON.stringify({ query: '{ __typename }' }) },
      check: noErrors,
    },
    {
      key: 'deleteConnection',
      label: 'deleteConnection, sandbox re-seeded per run',
      floor: 'floorList',
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      request: () => {
        // Each request deletes another connection; past the seed, the vendor answers NOT_FOUND (counted as failures).
        const id = deleteIds[deleteCursor % deleteIds.length];
        deleteCursor += 1;
        return { body: JSON.stringify({ query: DELETE_MUTATION, variables: { id } }) };
      },
      check: (text) => noErrors(text) && text.includes('"userErrors":[]'),
      prepare: async () => void (deleteCursor = 0),
    },
    ...pages.scenarios,
  ];

  const only = args.only?.split(',').map((k) => k.trim());
  const WEBHOOK_LATENCY = 'webhookLatency';
  const unknown = only?.filter((k) => k !== WEBHOOK_LATENCY && !allScenarios.some((s) => s.key === k)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}`);
  const measured = allScenarios.filter((s) => s.floor && (!only || only.includes(s.key)));
  const floors = allScenarios.filter((s) => !s.floor && measured.some((m) => m.floor === s.key));
  const scenarios = [...floors, ...measured];
  const byKey = new Map(allScenarios.map((s) => [s.key, s]));

  // Smoke check: every scenario answers correctly once before any load.
  for (const scenario of scenarios) {
    await sandboxReset(sandboxUrls);
    await scenario.prepare?.();
    const text = await sendOnce(scenario);
    if (!scenario.check(text)) throw new Error(`${scenario.key}: unexpected answer ${text.slice(0, 400)}`);
  }

  // The cross-vendor dashboard, one request alone: upstream calls against the distinct resources it needs, cold
  // and then warm.
  await sandboxReset(sandboxUrls);
  await sendOnce({ ...byKey.get('dashboardCacheOff')! }, { body: crossVendorBody });
  const crossVendorCold = await sandboxStats(sandboxUrls);
  await sandboxReset(sandboxUrls);
  await sendOnce({ ...byKey.get('dashboardWarm')! }, { body: crossVendorBody });
  const primed = await sandboxStats(sandboxUrls);
  await sendOnce({ ...byKey.get('dashboardWarm')! }, { body: crossVendorBody });
  const crossVendorWarm = { total: (await sandboxStats(sandboxUrls)).total - primed.total };

  // Which cache the cache-on gateway really used: Redis holds keys only if the gateway wrote there.
  let cacheBackend = 'memory (no redis-server)';
  if (redis) {
    const client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    const keys = await client.dbsize();
    client.disconnect();
    cacheBackend = keys > 0 ? 'redis' : 'memory (the gateway ignored REDIS_URL)';
  }
  log(`cache-on gateway uses: ${cacheBackend}`);

  const processes = { cacheOff: cold.process, cacheOn: warm.process, floor: floor.process };
  const rss = (p: BenchProcess) => p.rss() ?? Number.NaN;
  const rssNow = () => ({ cacheOff: rss(cold.process), cacheOn: rss(warm.process), floor: rss(floor.process) });
  const rssBefore = rssNow();
  const run = {
    durationSeconds: settings.durationSeconds,
    connections: settings.connections,
    primeSeconds: settings.primeSeconds,
  };

  if (settings.warmupSeconds > 0) {
    // A full round, not recorded: JIT, connection pools and the V8 heap (whose growth the heap target would
    // otherwise mistake for a leak) settle before the first measured round.
    log(`warm-up: ${settings.warmupSeconds} s per scenario (not recorded)`);
    for (const scenario of scenarios)
      await drive(scenario, { ...run, durationSeconds: settings.warmupSeconds, primeSeconds: 0 }, upstreamOf(scenario));
  }

  const runs = new Map<string, RunFigures[]>(allScenarios.map((s) => [s.key, []]));
  /** Per scenario, the two runs of its floor around each of its runs (before and after). */
  const pairedFloor = new Map<string, (readonly [RunFigures, RunFigures])[]>(allScenarios.map((s) => [s.key, []]));
  // RSS right after a run depends on where the garbage collector happens to be; the peak over a whole round
  // (sampled every 200 ms) is the steadier figure to compare from round to round.
  const rssPeakRound: Record<keyof typeof processes, number>[] = [];
  // What each gateway holds after a full collection at the end of a round: the figure a leak makes grow.
  const liveHeapRound: Record<keyof typeof inspectPorts, number>[] = [];
  for (let r = 0; r < settings.rounds; r += 1) {
    // Rotated each round so no scenario always runs first (or right after the same one). Each run sits between two
    // runs of its floor, and its ratio is to their mean: on a shared machine the load swings within a round, and a
    // floor on one side only would lend the run its drift. The floor run after one scenario is the run before the
    // next when both have the same floor.
    const order = measured.map((_, i) => measured[(i + r) % measured.length]!);
    const peak = { cacheOff: 0, cacheOn: 0, floor: 0 };
    const sampler = setInterval(() => {
      const now = rssNow();
      for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], now[k]);
    }, 200);
    const runLogged = async (s: Scenario): Promise<RunFigures> => {
      const figures = await drive(s, run, upstreamOf(s));
      runs.get(s.key)!.push(figures);
      log(
        `round ${r + 1}/${settings.rounds} ${s.key}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, upstream/request ${figures.upstreamPerRequest.toFixed(3)}, CPU ${figures.cpuMsPerRequest.toFixed(2)} ms/request${figures.failures ? `, ${figures.failures} FAILED` : ''}`,
      );
      return figures;
    };
    /** The scenario run last, waiting for the floor run after it: the next floor run closes its bracket. */
    let open: { readonly scenario: Scenario; readonly before: RunFigures } | undefined;
    const runFloor = async (key: string): Promise<RunFigures> => {
      const figures = await runLogged(byKey.get(key)!);
      if (open) pairedFloor.get(open.scenario.key)!.push([open.before, figures]);
      open = undefined;
      return figures;
    };
    for (const scenario of order) {
      if (open && open.scenario.floor !== scenario.floor) await runFloor(open.scenario.floor!);
      const before = await runFloor(scenario.floor!);
      await runLogged(scenario);
      open = { scenario, before };
    }
    if (open) await runFloor(open.scenario.floor!);
    clearInterval(sampler);
    rssPeakRound.push(peak);
    liveHeapRound.push({
      cacheOff: round(await liveHeapMb(inspectPorts.cacheOff), 1),
      cacheOn: round(await liveHeapMb(inspectPorts.cacheOn), 1),
    });
  }
  const rssAfter = rssNow();

  // Change to webhook, on Leen organizations no scenario reads (their connections are deleted one by one).
  const webhookLatency =
    only && !only.includes(WEBHOOK_LATENCY)
      ? null
      : await measureWebhookLatency({
          startGateway,
          leen: { baseUrl: info.tenant.vendors.leen.baseUrl, apiKey: info.tenant.vendors.leen.apiKey },
          organizations: leenIds.slice(-10),
          samples: args.quick ? 5 : 20,
          syncIntervalSeconds: args.quick ? 1 : 2,
          log,
        });

  // ---- figures
  const figures = summarise(scenarios, runs, pairedFloor);
  const rssFigures = Object.fromEntries(
    (Object.keys(processes) as (keyof typeof processes)[]).map((g): [string, RssFigures] => [
      g,
      {
        beforeMb: round(rssBefore[g] / MB, 1),
        peakRoundMb: rssPeakRound.map((x) => round(x[g] / MB, 1)),
        afterMb: round(rssAfter[g] / MB, 1),
        ...(g !== 'floor' && { liveHeapRoundMb: liveHeapRound.map((x) => x[g]) }),
      },
    ]),
  ) as Record<keyof typeof processes, RssFigures>;
  const targets = checkTargets({ figures, crossVendorCold, crossVendorWarm, rssFigures });

  // ---- output
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    loadAverage1m: round(loadavg()[0]!, 2),
    loadAverageAtStart1m: loadAtStart,
  };
  const out = process.stdout;
  out.write(
    `\nJunction bench: ${settings.rounds} round(s) × ${settings.durationSeconds} s per scenario, ${settings.connections} connections, ` +
      `${ORGANIZATIONS} organizations of ${CONNECTIONS_PER_ORGANIZATION} connections; ${machine.cpus} × ${machine.cpuModel}, ` +
      `Node ${machine.node}, load ${machine.loadAverageAtStart1m} at start, ${machine.loadAverage1m} at end; cache-on gateway: ${cacheBackend}\n\n`,
  );
  out.write(
    `${table(
      ['scenario', 'req/s', '× floor', 'p50 ms', 'p99 ms', 'upstream/req', 'CPU ms/req', 'CPU × floor'],
      scenarios.map((s) => {
        const f = figures[s.key]!;
        return [
          s.label,
          String(f.rps),
          s.floor ? f.ratioToFloor.toFixed(2) : '—',
          String(f.p50Ms),
          String(f.p99Ms),
          f.upstreamPerRequest.toFixed(3),
          f.cpuMsPerRequest.toFixed(3),
          s.floor ? f.cpuRatioToFloor.toFixed(2) : '—',
        ];
      }),
    )}\n\n`,
  );
  out.write(
    `${table(
      ['RSS (MB)', 'before', ...rssPeakRound.map((_, i) => `round ${i + 1} peak`), 'after'],
      (Object.keys(processes) as (keyof typeof processes)[]).map((g) => [
        { cacheOff: 'gateway, cache off', cacheOn: 'gateway, cache on', floor: 'floor' }[g],
        String(rssFigures[g].beforeMb),
        ...rssFigures[g].peakRoundMb.map(String),
        String(rssFigures[g].afterMb),
      ]),
    )}\n\n`,
  );
  out.write(
    `${table(
      ['V8 heap after a full collection (MB)', ...liveHeapRound.map((_, i) => `end of round ${i + 1}`)],
      (['cacheOff', 'cacheOn'] as const).map((g) => [
        { cacheOff: 'gateway, cache off', cacheOn: 'gateway, cache on' }[g],
        ...(rssFigures[g].liveHeapRoundMb ?? []).map(String),
      ]),
    )}\n\n`,
  );
  out.write(
    `${table(
      ['target', 'result', 'measured'],
      targets.map((t) => [t.target, t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'FAIL', t.measured]),
    )}\n\n`,
  );

  if (webhookLatency)
    out.write(
      `Change at a simulator → its webhook at a receiver (sync every ${webhookLatency.syncIntervalSeconds} s, ` +
        `${webhookLatency.organizations} organizations, cache off): p50 ${webhookLatency.p50Ms} ms, ` +
        `p99 ${webhookLatency.p99Ms} ms, max ${webhookLatency.maxMs} ms, ${webhookLatency.received}/${webhookLatency.samples} arrived\n\n`,
    );
  const coldPages = { served: pages.coldPagesServed(), available: pages.coldPagesAvailable() };
  out.write(
    `Pages: ${coldPages.served} cold pages served of ${coldPages.available} never-indexed ones available` +
      `${coldPages.served > coldPages.available ? ' (EXCEEDED: the last cold runs read indexed pages)' : ''}; ` +
      `the background sync of a ${SCALE_ORGANIZATIONS.toLocaleString('en')}-organization tenant makes one listing call per organization and interval: ` +
      `${SCALE_ORGANIZATIONS.toLocaleString('en')} vendor calls per minute at the default 60 s\n\n`,
  );
  for (const p of [floor.process, warm.process, cold.process, pagesGateway.process, scale.process]) await p.stop();
  if (args.profile) log(`CPU profiles written to ${join(WORK, 'profiles')}`);

  const failures =
    Object.values(figures).reduce((sum, s) => sum + s.failures, 0) +
    (webhookLatency ? webhookLatency.samples - webhookLatency.received : 0);
  out.write(
    `${JSON.stringify({
      machine,
      settings: {
        ...settings,
        organizations: ORGANIZATIONS,
        connectionsPerOrganization: CONNECTIONS_PER_ORGANIZATION,
        dashboardSize: DASHBOARD_SIZE,
      },
      cache: cacheBackend,
      scenarios: figures,
      crossVendorDashboard: { cold: crossVendorCold, warm: crossVendorWarm },
      webhookLatency,
      coldPages,
      rss: rssFigures,
      targets,
      failures,
    })}\n`,
  );
  return failures === 0 ? 0 : 1;
}

const loadAtStart = round(loadavg()[0]!, 2);
main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? error.message : error);
    await stopAll();
    process.exit(1);
  });
