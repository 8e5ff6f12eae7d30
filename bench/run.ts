import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { encodeGlobalId } from '../src/domain/global-id.js';
import type { Vendor } from '../src/domain/models.js';
import { freePort, startProcess, stopAll, type BenchProcess } from './processes.js';

/**
 * `npm run bench`: Junction against the direct-call floor.
 *
 * Starts, as separate processes: the vendor sandbox (dist/sandbox/cli.js, a
 * generated seed), a redis-server when one is installed, two gateways from
 * the built JS (dist/main.js; one with `cache.enabled: false`, one with the
 * cache on and REDIS_URL), and the floor (bench/floor.mjs). Then drives each
 * scenario with autocannon for a fixed duration, interleaving the scenarios
 * round after round, and prints a table and, as the last line, one JSON
 * object with every figure. Targets are ratios to the floor of the same round.
 *
 *   npm run bench [-- --duration 5 --rounds 3 --connections 10 --profile]
 *   npm run bench -- --quick        one 1-second round (the test suite runs this)
 */

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    /** Start the gateways under `node --cpu-prof` (profiles in .bench/profiles). */
    profile: { type: 'boolean', default: false },
    /** Comma-separated scenario keys to run (the floor always runs), e.g. `--only dashboardWarm` to profile one. */
    only: { type: 'string' },
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
  connections: Math.round(positive('connections', args.connections)),
  warmupSeconds: args.quick ? 0 : positive('duration', args.duration),
};

const ROOT = join(import.meta.dirname, '..');
const WORK = join(ROOT, '.bench');
const DASHBOARD_ORGANIZATIONS = 5;
const CONNECTIONS_PER_ORGANIZATION = 10;
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
  readonly tenant: Record<string, unknown> & { vendors: { leen: { apiKey: string } } };
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
      `--organizations=${DASHBOARD_ORGANIZATIONS}`,
      `--connections=${CONNECTIONS_PER_ORGANIZATION}`,
      `--bulk-connections=${BULK_CONNECTIONS}`,
    ],
    { env: { ...baseEnv(), JUNCTION_DEMO_KEY: apiKey }, ready: { line: (l) => l.startsWith('{') } },
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

async function startGateway(name: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const file = join(WORK, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...config, port, host: '127.0.0.1' }, null, 2));
  const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(WORK, 'profiles')}`] : [];
  const url = `http://127.0.0.1:${port}`;
  const { process: proc } = await startProcess(name, process.execPath, [...profileArgs, join(ROOT, 'dist/main.js')], {
    env: { ...baseEnv(), ...env, JUNCTION_CONFIG: file, NODE_ENV: 'production' },
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
  const { process: proc, line } = await startProcess('floor', process.execPath, [join(ROOT, 'bench/floor.mjs')], {
    env: { ...baseEnv(), FLOOR_UPSTREAM_URL: upstreamUrl, FLOOR_UPSTREAM_HEADERS: JSON.stringify(headers) },
    ready: { line: (l) => l.startsWith('{') },
  });
  return { process: proc, url: (JSON.parse(line!) as { url: string }).url };
}

// ---------------------------------------------------------------- sandbox counters

interface SandboxStats {
  total: number;
  distinct: number;
}

async function sandboxStats(urls: readonly string[]): Promise<SandboxStats> {
  const all = await Promise.all(
    urls.map(async (url) => (await (await fetch(`${url}/__sandbox/stats`)).json()) as SandboxStats),
  );
  return all.reduce((sum, s) => ({ total: sum.total + s.total, distinct: sum.distinct + s.distinct }), {
    total: 0,
    distinct: 0,
  });
}

async function sandboxReset(urls: readonly string[]): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/__sandbox/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`sandbox reset failed: HTTP ${res.status}`);
    }),
  );
}

// ---------------------------------------------------------------- scenarios

interface Scenario {
  readonly key: string;
  readonly label: string;
  readonly url: string;
  /** The process serving `url`, whose CPU time per request is reported. */
  readonly server: BenchProcess;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** A fixed body, or one per request (for deletes, each naming another connection). */
  readonly body: string | (() => string);
  /** A response that counts as correct (status 200 is checked separately). */
  readonly check: (body: string) => boolean;
  /** Runs before each measured run (after the sandbox reset): priming the cache, rewinding the delete cursor. */
  readonly prepare?: () => Promise<void>;
}

interface RunFigures {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly upstreamPerRequest: number;
  /** CPU time the serving process (floor or gateway) spent per request: steadier than req/s on a shared machine. */
  readonly cpuMsPerRequest: number;
  readonly failures: number;
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

async function drive(scenario: Scenario, seconds: number, sandboxUrls: readonly string[]): Promise<RunFigures> {
  await sandboxReset(sandboxUrls);
  await scenario.prepare?.();
  const before = await sandboxStats(sandboxUrls);
  const cpuBefore = scenario.server.cpuSeconds() ?? Number.NaN;
  let failures = 0;
  const body = scenario.body;
  const result = await autocannon({
    url: scenario.url,
    method: scenario.method,
    headers: scenario.headers,
    connections: settings.connections,
    duration: seconds,
    ...(typeof body === 'string' && { body }),
    requests: [
      {
        ...(typeof body === 'function' && {
          setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }),
        }),
        onResponse: (status: number, text: string) => {
          if (status !== 200 || !scenario.check(text)) failures += 1;
        },
      },
    ],
  });
  const cpuAfter = scenario.server.cpuSeconds() ?? Number.NaN;
  const after = await sandboxStats(sandboxUrls);
  const requests = result['2xx'] + result.non2xx;
  return {
    requests,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    upstreamPerRequest: requests > 0 ? (after.total - before.total) / requests : 0,
    cpuMsPerRequest: requests > 0 ? ((cpuAfter - cpuBefore) * 1000) / requests : 0,
    failures: failures + result.errors + result.timeouts,
  };
}

// ---------------------------------------------------------------- report

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
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
  log(`sandbox: ${sandboxUrls.join(', ')}`);
  const redis = await startRedis();
  log(redis ? `redis: ${redis.url}` : 'redis-server not installed (bash scripts/ensure-redis.sh): no Redis');

  // Cached reads outlive the whole run (default TTLs are 30-300 s), so "warm" stays warm from one round to the next.
  const gatewayConfig = { logLevel: 'info', tenants: [info.tenant] };
  const warmTtls = { organization: 3600, connections: 3600, providers: 3600 };
  const [firstLeen] = info.leen;
  if (!firstLeen) throw new Error('the sandbox seeded no Leen organization');
  const first = { vendor: 'LEEN' as const, id: firstLeen.id };
  const floorUpstream = `${info.urls.LEEN}/provisioning/organizations/${first.id}/connections`;
  const [cold, warm, floor] = await Promise.all([
    startGateway('gateway-cache-off', { ...gatewayConfig, cache: { enabled: false } }, {}),
    startGateway(
      'gateway-cache-on',
      { ...gatewayConfig, cache: { enabled: true, ttlSeconds: warmTtls } },
      redis ? { REDIS_URL: redis.url } : {},
    ),
    startFloor(floorUpstream, { 'x-api-key': info.tenant.vendors.leen.apiKey }),
  ]);
  const gateways = { cacheOff: cold, cacheOn: warm };
  log(`gateways: ${cold.url} (cache off), ${warm.url} (cache on); floor: ${floor.url}`);

  const organizationId = (o: { vendor: Vendor; id: string }) =>
    encodeGlobalId({ typename: 'Organization', vendor: o.vendor, organizationId: o.id, keys: [] });
  // The dashboard spans every vendor: the first organization of each, then generated Leen ones up to five.
  const firstOfEachVendor = info.organizations.filter((o, i, all) => all.findIndex((p) => p.vendor === o.vendor) === i);
  const dashboardOrganizations = [
    ...firstOfEachVendor,
    ...info.leen.slice(1).map((o) => ({ vendor: 'LEEN' as const, id: o.id })),
  ].slice(0, DASHBOARD_ORGANIZATIONS);
  const dashboardIds = dashboardOrganizations.map(organizationId);
  log(`dashboard organizations: ${dashboardOrganizations.map((o) => `${o.vendor} ${o.id}`).join(', ')}`);
  const gqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const listBody = JSON.stringify({ query: LIST_QUERY, variables: { id: organizationId(first) } });
  const dashboardBody = JSON.stringify({ query: DASHBOARD_QUERY, variables: { ids: dashboardIds } });
  const deleteIds = info.bulk.connectionIds.map((key) =>
    encodeGlobalId({ typename: 'Connection', vendor: info.bulk.vendor, organizationId: info.bulk.id, keys: [key] }),
  );
  let deleteCursor = 0;
  const noErrors = (text: string) => !text.includes('"errors"');

  const allScenarios: Scenario[] = [
    {
      key: 'floor',
      label: '(a) floor: node:http + undici, same upstream call',
      url: floor.url,
      server: floor.process,
      method: 'GET',
      headers: {},
      body: '',
      check: (text) => text.startsWith('['),
    },
    {
      key: 'listCacheOff',
      label: '(b) connections list, cache off',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      body: listBody,
      check: noErrors,
    },
    {
      // Not a target: the fixed cost every uncached GraphQL request pays (HTTP, authentication, context and
      // Apollo's request pipeline) with no field to resolve, the ceiling on what (b) can reach.
      key: 'typenameCacheOff',
      label: '(b₀) reference: `{ __typename }`, cache off',
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      body: JSON.stringify({ query: '{ __typename }' }),
      check: noErrors,
    },
    {
      key: 'listWarm',
      label: '(c) connections list, warm cache',
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      body: listBody,
      check: noErrors,
      prepare: async () => void (await post(warm.url, gqlHeaders, listBody)),
    },
    {
      key: 'dashboardCacheOff',
      label: `(d) dashboard, ${DASHBOARD_ORGANIZATIONS} orgs across vendors, cache off`,
      url: cold.url,
      server: cold.process,
      method: 'POST',
      headers: gqlHeaders,
      body: dashboardBody,
      check: noErrors,
    },
    {
      key: 'dashboardWarm',
      label: `(d) dashboard, ${DASHBOARD_ORGANIZATIONS} orgs across vendors, warm`,
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      body: dashboardBody,
      check: noErrors,
      prepare: async () => void (await post(warm.url, gqlHeaders, dashboardBody)),
    },
    {
      key: 'deleteConnection',
      label: '(e) deleteConnection, sandbox re-seeded per run',
      url: warm.url,
      server: warm.process,
      method: 'POST',
      headers: gqlHeaders,
      body: () => {
        // Each request deletes another connection; past the seed, the vendor answers NOT_FOUND (counted as failures).
        const id = deleteIds[deleteCursor % deleteIds.length];
        deleteCursor += 1;
        return JSON.stringify({ query: DELETE_MUTATION, variables: { id } });
      },
      check: (text) => noErrors(text) && text.includes('"userErrors":[]'),
      prepare: async () => void (deleteCursor = 0),
    },
  ];

  const only = args.only?.split(',').map((k) => k.trim());
  const unknown = only?.filter((k) => !allScenarios.some((s) => s.key === k)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}`);
  const scenarios = allScenarios.filter((s) => s.key === 'floor' || !only || only.includes(s.key));
  const has = (key: string) => scenarios.some((s) => s.key === key);

  // Smoke check: every scenario answers correctly once before any load.
  for (const scenario of scenarios) {
    await sandboxReset(sandboxUrls);
    await scenario.prepare?.();
    const body = typeof scenario.body === 'function' ? scenario.body() : scenario.body;
    const text =
      scenario.method === 'GET'
        ? await (await fetch(scenario.url)).text()
        : await post(scenario.url, scenario.headers, body);
    if (!scenario.check(text)) throw new Error(`${scenario.key}: unexpected answer ${text.slice(0, 400)}`);
  }

  // (d) cold, one request alone: upstream calls against the distinct resources it needs.
  await sandboxReset(sandboxUrls);
  await post(cold.url, gqlHeaders, dashboardBody);
  const dashboardColdSingle = await sandboxStats(sandboxUrls);
  // (d) warm, one request alone, after priming.
  await sandboxReset(sandboxUrls);
  await post(warm.url, gqlHeaders, dashboardBody);
  const primed = await sandboxStats(sandboxUrls);
  await post(warm.url, gqlHeaders, dashboardBody);
  const dashboardWarmSingle = { total: (await sandboxStats(sandboxUrls)).total - primed.total };

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

  const rss = (p: BenchProcess) => p.rss() ?? Number.NaN;
  const rssBefore = { cacheOff: rss(cold.process), cacheOn: rss(warm.process) };

  if (settings.warmupSeconds > 0) {
    // A full round, not recorded: JIT, connection pools and the V8 heap (whose growth the RSS target would
    // otherwise mistake for a leak) settle before the first measured round.
    log(`warm-up: ${settings.warmupSeconds} s per scenario (not recorded)`);
    for (const scenario of scenarios) await drive(scenario, settings.warmupSeconds, sandboxUrls);
  }

  const runs = new Map<string, RunFigures[]>(allScenarios.map((s) => [s.key, []]));
  /** Per scenario, the floor run just before each of its runs. */
  const pairedFloor = new Map<string, RunFigures[]>(allScenarios.map((s) => [s.key, []]));
  const floorScenario = scenarios.find((s) => s.key === 'floor')!;
  const rssAfterRound: { cacheOff: number; cacheOn: number }[] = [];
  // RSS right after a run depends on where the garbage collector happens to be; the peak over a whole round
  // (sampled every 200 ms) is the steadier figure to compare from round to round.
  const rssPeakRound: { cacheOff: number; cacheOn: number }[] = [];
  for (let r = 0; r < settings.rounds; r += 1) {
    // Interleaved, and rotated each round so no scenario always runs first (or right after the same one).
    // Each scenario runs right after a run of the floor, and its ratio is to that floor run: on a shared machine
    // the load swings within a round, and a ratio is only fair between runs minutes apart at most.
    const measured = scenarios.filter((s) => s.key !== 'floor');
    const order = measured.flatMap((_, i) => [floorScenario, measured[(i + r) % measured.length]!]);
    const peak = { cacheOff: 0, cacheOn: 0 };
    const sampler = setInterval(() => {
      peak.cacheOff = Math.max(peak.cacheOff, rss(cold.process));
      peak.cacheOn = Math.max(peak.cacheOn, rss(warm.process));
    }, 200);
    for (const scenario of order) {
      const figures = await drive(scenario, settings.durationSeconds, sandboxUrls);
      runs.get(scenario.key)!.push(figures);
      if (scenario.key !== 'floor') pairedFloor.get(scenario.key)!.push(runs.get('floor')!.at(-1)!);
      log(
        `round ${r + 1}/${settings.rounds} ${scenario.key}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, upstream/request ${figures.upstreamPerRequest.toFixed(3)}, CPU ${figures.cpuMsPerRequest.toFixed(2)} ms/request${figures.failures ? `, ${figures.failures} FAILED` : ''}`,
      );
    }
    clearInterval(sampler);
    rssAfterRound.push({ cacheOff: rss(cold.process), cacheOn: rss(warm.process) });
    rssPeakRound.push({
      cacheOff: Math.max(peak.cacheOff, rssAfterRound.at(-1)!.cacheOff),
      cacheOn: Math.max(peak.cacheOn, rssAfterRound.at(-1)!.cacheOn),
    });
  }

  // ---- figures
  const scenarioFigures = Object.fromEntries(
    scenarios.map((s) => {
      const list = runs.get(s.key)!;
      const ratios = s.key === 'floor' ? [1] : list.map((run, i) => run.rps / pairedFloor.get(s.key)![i]!.rps);
      return [
        s.key,
        {
          label: s.label,
          rps: round(median(list.map((x) => x.rps)), 0),
          p50Ms: median(list.map((x) => x.p50Ms)),
          p99Ms: median(list.map((x) => x.p99Ms)),
          upstreamPerRequest: round(median(list.map((x) => x.upstreamPerRequest)), 3),
          cpuMsPerRequest: round(median(list.map((x) => x.cpuMsPerRequest)), 3),
          ratioToFloor: round(median(ratios)),
          requests: list.reduce((sum, x) => sum + x.requests, 0),
          failures: list.reduce((sum, x) => sum + x.failures, 0),
          rounds: list.map((x) => ({
            rps: round(x.rps, 0),
            p50Ms: x.p50Ms,
            p99Ms: x.p99Ms,
            upstreamPerRequest: round(x.upstreamPerRequest, 3),
            cpuMsPerRequest: round(x.cpuMsPerRequest, 3),
          })),
        },
      ];
    }),
  ) as Record<
    string,
    {
      label: string;
      rps: number;
      p50Ms: number;
      p99Ms: number;
      upstreamPerRequest: number;
      cpuMsPerRequest: number;
      ratioToFloor: number;
      requests: number;
      failures: number;
    }
  >;
  const fig = (key: string) => scenarioFigures[key]!;

  const rssAfter = { cacheOff: rss(cold.process), cacheOn: rss(warm.process) };
  const rssFigures = Object.fromEntries(
    (['cacheOff', 'cacheOn'] as const).map((g) => [
      g,
      {
        beforeMb: round(rssBefore[g] / MB, 1),
        afterRoundMb: rssAfterRound.map((x) => round(x[g] / MB, 1)),
        peakRoundMb: rssPeakRound.map((x) => round(x[g] / MB, 1)),
        afterMb: round(rssAfter[g] / MB, 1),
      },
    ]),
  );

  // ---- targets
  const targets: { target: string; pass: boolean | null; measured: string }[] = [];
  const ratioTarget = (key: string, min: number, what: string) => {
    if (!has(key)) return;
    const { ratioToFloor } = fig(key);
    targets.push({ target: `${what} ≥ ${min} × floor`, pass: ratioToFloor >= min, measured: `${ratioToFloor} ×` });
  };
  ratioTarget('listCacheOff', 0.6, '(b) list, cache off');
  ratioTarget('listWarm', 1.0, '(c) list, warm cache');
  targets.push({
    target: '(d) cold: upstream calls = distinct resources (one request)',
    pass: dashboardColdSingle.total === dashboardColdSingle.distinct && dashboardColdSingle.total > 0,
    measured: `${dashboardColdSingle.total} calls, ${dashboardColdSingle.distinct} distinct`,
  });
  if (has('dashboardCacheOff'))
    targets.push({
      target: '(d) cold under load: upstream calls/request ≤ distinct resources',
      pass: fig('dashboardCacheOff').upstreamPerRequest <= dashboardColdSingle.distinct,
      measured: `${fig('dashboardCacheOff').upstreamPerRequest} per request`,
    });
  targets.push({
    target: '(d) warm: zero upstream calls (one request, and under load)',
    pass: dashboardWarmSingle.total === 0 && runs.get('dashboardWarm')!.every((x) => x.upstreamPerRequest === 0),
    measured: `${dashboardWarmSingle.total} alone; ${has('dashboardWarm') ? fig('dashboardWarm').upstreamPerRequest : '(not run)'} per request under load`,
  });
  for (const g of ['cacheOff', 'cacheOn'] as const) {
    const peak = Math.max(rssBefore[g], rssAfter[g], ...rssPeakRound.map((x) => x[g]));
    targets.push({
      target: `gateway (${g === 'cacheOff' ? 'cache off' : 'cache on'}) RSS < 250 MB`,
      pass: peak < 250 * MB,
      measured: `peak ${round(peak / MB, 1)} MB`,
    });
    const firstRound = rssPeakRound[0]![g];
    const lastRound = rssPeakRound.at(-1)![g];
    const growth = lastRound / firstRound - 1;
    targets.push({
      target: `gateway (${g === 'cacheOff' ? 'cache off' : 'cache on'}) RSS growth, first to last round's peak ≤ 10%`,
      pass: rssAfterRound.length < 2 ? null : growth <= 0.1,
      measured:
        rssAfterRound.length < 2
          ? 'one round only'
          : `${round(firstRound / MB, 1)} → ${round(lastRound / MB, 1)} MB (${(growth * 100).toFixed(1)}%)`,
    });
  }
  const failures = Object.values(scenarioFigures).reduce((sum, s) => sum + s.failures, 0);
  targets.push({
    target: 'every response correct (200, no GraphQL errors)',
    pass: failures === 0,
    measured: `${failures} failed`,
  });

  // ---- output
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    loadAverage1m: round(loadavg()[0]!, 2),
  };
  const out = process.stdout;
  out.write(
    `\nJunction bench: ${settings.rounds} round(s) × ${settings.durationSeconds} s per scenario, ${settings.connections} connections; ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage1m}; cache-on gateway: ${cacheBackend}\n\n`,
  );
  out.write(
    `${table(
      ['scenario', 'req/s', '× floor', 'p50 ms', 'p99 ms', 'upstream/req', 'server CPU ms/req'],
      scenarios.map((s) => {
        const f = fig(s.key);
        return [
          s.label,
          String(f.rps),
          s.key === 'floor' ? '1.00' : f.ratioToFloor.toFixed(2),
          String(f.p50Ms),
          String(f.p99Ms),
          f.upstreamPerRequest.toFixed(3),
          f.cpuMsPerRequest.toFixed(2),
        ];
      }),
    )}\n\n`,
  );
  out.write(
    `${table(
      ['gateway RSS (MB)', 'before', ...rssPeakRound.map((_, i) => `round ${i + 1} peak`), 'after'],
      (['cacheOff', 'cacheOn'] as const).map((g) => [
        g === 'cacheOff' ? 'cache off' : 'cache on',
        String(rssFigures[g]!.beforeMb),
        ...rssFigures[g]!.peakRoundMb.map(String),
        String(rssFigures[g]!.afterMb),
      ]),
    )}\n\n`,
  );
  out.write(
    `${table(
      ['target', 'result', 'measured'],
      targets.map((t) => [t.target, t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'FAIL', t.measured]),
    )}\n\n`,
  );

  for (const p of [floor.process, gateways.cacheOn.process, gateways.cacheOff.process]) await p.stop();
  if (args.profile) log(`CPU profiles written to ${join(WORK, 'profiles')}`);

  out.write(
    `${JSON.stringify({
      machine,
      settings: {
        ...settings,
        dashboardOrganizations: dashboardOrganizations.map((o) => `${o.vendor} ${o.id}`),
        connectionsPerOrganization: CONNECTIONS_PER_ORGANIZATION,
      },
      cache: cacheBackend,
      scenarios: scenarioFigures,
      dashboardColdSingleRequest: dashboardColdSingle,
      dashboardWarmSingleRequest: dashboardWarmSingle,
      gatewayRss: rssFigures,
      targets,
      failures,
    })}\n`,
  );
  return failures === 0 ? 0 : 1;
}

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
