import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/**
 * Checks the output of `npm run bench -- --quick` (CI runs it as its own step,
 * outside the test suite): every scenario ran with every response correct, and
 * the counters behave. No speed figure is compared with a threshold here.
 *
 *   npm run --silent bench -- --quick > bench.out && npx tsx test/bench/check-report.ts bench.out
 */

interface ScenarioFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  upstreamPerRequest: number;
  cpuMsPerRequest: number;
  requests: number;
  failures: number;
  /** One entry per round the figures above are the medians of (the floor runs beside every scenario). */
  rounds?: unknown[];
}
interface BenchReport {
  settings: { connections: number };
  scenarios: Record<string, ScenarioFigures>;
  crossVendorDashboard: { cold: { total: number; distinct: number }; warm: { total: number } };
  rss: Record<'cacheOff' | 'cacheOn' | 'floor', { beforeMb: number; afterMb: number; liveHeapRoundMb?: number[] }>;
  targets: { target: string; pass: boolean | null; measured: string }[];
  failures: number;
}

const path = process.argv[2];
if (!path) throw new Error('usage: npx tsx test/bench/check-report.ts FILE (the output of npm run bench -- --quick)');
const stdout = readFileSync(path, 'utf8');
const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchReport;
const upstream = (scenario: string) => report.scenarios[scenario]!.upstreamPerRequest;
/**
 * Vendor calls per request are counted per request sent, and up to one request per connection is cut off
 * at the end of each run (more of them, the slower the machine): a scenario whose answered requests made
 * `calls` each shows at least calls × answered / (answered + connections × runs).
 */
const atLeast = (scenario: string, calls: number) => {
  const { requests, rounds } = report.scenarios[scenario]!;
  const runs = Math.max(1, rounds?.length ?? 1);
  const bound = (calls * requests) / (requests + report.settings.connections * runs);
  ok(upstream(scenario) >= bound, `${scenario}: ${upstream(scenario)} vendor calls per request, below ${bound}`);
};

deepStrictEqual(Object.keys(report.scenarios), [
  'floorList',
  'floorDashboard',
  'listCacheOff',
  'dashboardCacheOff',
  'listWarm',
  'dashboardWarm',
  'listSameOrgCacheOff',
  'listSmallTenants',
  'listLargeTenant',
  'typenameCacheOff',
  'deleteConnection',
  'pageColdIndex',
  'pageWarmIndex',
]);
for (const [name, figures] of Object.entries(report.scenarios)) {
  ok(figures.requests > 0, `${name}: no request completed`);
  strictEqual(figures.failures, 0, `${name}: failed responses`);
  ok(figures.p99Ms >= figures.p50Ms, `${name}: p99 below p50`);
  ok(figures.cpuMsPerRequest > 0, `${name}: no CPU time measured`);
}
strictEqual(report.failures, 0, 'failed responses');
// Counters behave: the floor calls the vendor once per organization, a delete at least once.
atLeast('floorList', 1);
atLeast('floorDashboard', 20);
// Cold reads are cold: each request reads its own organization, so (nearly) no vendor call is shared.
atLeast('listCacheOff', 0.95);
atLeast('dashboardCacheOff', 19);
// Deduplication: one organization for every request shares vendor calls.
ok(upstream('listSameOrgCacheOff') < 1, 'listSameOrgCacheOff: no vendor call shared');
// Warm: (nearly) never. Not exactly zero: a Redis command slower than cache.commandTimeoutMs counts as a miss.
ok(upstream('listWarm') < 0.5, 'listWarm: the cache is not used');
atLeast('deleteConnection', 1);
// The cross-vendor dashboard (one organization per vendor): no resource read twice; none at all once warm.
const { cold, warm } = report.crossVendorDashboard;
ok(cold.total >= 5, 'cross-vendor dashboard: fewer than 5 vendor calls cold');
strictEqual(cold.total, cold.distinct, 'cross-vendor dashboard: a resource read twice');
ok(warm.total < cold.total, 'cross-vendor dashboard: warm no better than cold');
ok(report.rss.cacheOff.beforeMb > 0, 'no RSS figure');
// The heap probe answered once per round for each gateway, and a collected heap is smaller than the process.
for (const gateway of ['cacheOff', 'cacheOn'] as const) {
  const { liveHeapRoundMb, afterMb } = report.rss[gateway];
  strictEqual(liveHeapRoundMb?.length, 1, `${gateway}: no heap figure after a full collection`);
  ok(
    liveHeapRoundMb[0]! > 0 && liveHeapRoundMb[0]! < afterMb,
    `${gateway}: implausible live heap ${liveHeapRoundMb[0]} MB`,
  );
}
ok(
  report.targets.some((t) => t.target === 'cold list ≥ 0.5 × floor req/s'),
  'the cold-list target is missing',
);
ok(stdout.includes('| floor: node:http'), 'the table is missing');
console.log(`bench report: ${Object.keys(report.scenarios).length} scenarios, every check passed`);
