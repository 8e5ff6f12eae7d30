import type { RunFigures, Scenario } from './drive.js';

/** The figures and targets of `npm run bench`, from the runs of every round. */

export const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export interface ScenarioFigures {
  readonly label: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly upstreamPerRequest: number;
  readonly cpuMsPerRequest: number;
  /** Medians of the per-round ratios to the floor run just before (1 for a floor). */
  readonly ratioToFloor: number;
  readonly cpuRatioToFloor: number;
  readonly p99RatioToFloor: number;
  readonly requests: number;
  readonly failures: number;
  readonly rounds: readonly Omit<RunFigures, 'requests' | 'failures'>[];
}

export function summarise(
  scenarios: readonly Scenario[],
  runs: ReadonlyMap<string, readonly RunFigures[]>,
  /** Per scenario run, the floor runs before and after it. */
  pairedFloor: ReadonlyMap<string, readonly (readonly [RunFigures, RunFigures])[]>,
): Record<string, ScenarioFigures> {
  return Object.fromEntries(
    scenarios.map((s) => {
      const list = runs.get(s.key)!;
      const floors = pairedFloor.get(s.key)!;
      const ratio = (of: (x: RunFigures) => number) =>
        s.floor ? round(median(list.map((run, i) => of(run) / ((of(floors[i]![0]) + of(floors[i]![1])) / 2)))) : 1;
      const figures: ScenarioFigures = {
        label: s.label,
        rps: round(median(list.map((x) => x.rps)), 0),
        p50Ms: median(list.map((x) => x.p50Ms)),
        p99Ms: median(list.map((x) => x.p99Ms)),
        upstreamPerRequest: round(median(list.map((x) => x.upstreamPerRequest)), 3),
        cpuMsPerRequest: round(median(list.map((x) => x.cpuMsPerRequest)), 3),
        ratioToFloor: ratio((x) => x.rps),
        cpuRatioToFloor: ratio((x) => x.cpuMsPerRequest),
        p99RatioToFloor: ratio((x) => x.p99Ms),
        requests: list.reduce((sum, x) => sum + x.requests, 0),
        failures: list.reduce((sum, x) => sum + x.failures, 0),
        rounds: list.map((x) => ({
          rps: round(x.rps, 0),
          p50Ms: x.p50Ms,
          p99Ms: x.p99Ms,
          upstreamPerRequest: round(x.upstreamPerRequest, 3),
          cpuMsPerRequest: round(x.cpuMsPerRequest, 3),
        })),
      };
      return [s.key, figures];
    }),
  );
}

export interface Target {
  readonly target: string;
  /** null: not measured in this run (a scenario left out, or one round only). */
  readonly pass: boolean | null;
  readonly measured: string;
}

export interface RssFigures {
  readonly beforeMb: number;
  readonly peakRoundMb: readonly number[];
  readonly afterMb: number;
  /** Gateways: the V8 heap after a full collection at the end of each round (heap-probe.ts). */
  readonly liveHeapRoundMb?: readonly number[];
}

export function checkTargets(input: {
  figures: Record<string, ScenarioFigures>;
  crossVendorCold: { total: number; distinct: number };
  crossVendorWarm: { total: number };
  rssFigures: Record<'cacheOff' | 'cacheOn' | 'floor', RssFigures>;
}): Target[] {
  const { figures, crossVendorCold, crossVendorWarm, rssFigures } = input;
  const targets: Target[] = [];
  const at = (key: string, what: string, check: (f: ScenarioFigures) => Omit<Target, 'target'>) => {
    const f = figures[key];
    targets.push({ target: what, ...(f ? check(f) : { pass: null, measured: '(not run)' }) });
  };
  const atLeast = (key: string, min: number, what: string) =>
    at(key, `${what} ≥ ${min} × floor req/s`, (f) => ({
      pass: f.ratioToFloor >= min,
      measured: `${f.ratioToFloor} ×`,
    }));
  const cpuAtMost = (key: string, max: number, what: string) =>
    at(key, `${what}: CPU/request ≤ ${max} × floor's`, (f) => ({
      pass: f.cpuRatioToFloor <= max,
      measured: `${f.cpuMsPerRequest} ms (${f.cpuRatioToFloor} ×)`,
    }));
  const p99AtMost = (key: string, max: number, what: string) =>
    at(key, `${what}: p99 ≤ ${max} × floor's`, (f) => ({
      pass: f.p99RatioToFloor <= max,
      measured: `${f.p99Ms} ms (${f.p99RatioToFloor} ×)`,
    }));

  at('listCacheOff', 'cold list: every request reads the vendor (upstream/request ≥ 0.95)', (f) => ({
    pass: f.upstreamPerRequest >= 0.95,
    measured: `${f.upstreamPerRequest}`,
  }));
  atLeast('listCacheOff', 0.5, 'cold list');
  cpuAtMost('listCacheOff', 3, 'cold list');
  p99AtMost('listCacheOff', 3, 'cold list');
  atLeast('dashboardCacheOff', 0.6, 'cold dashboard');
  p99AtMost('dashboardCacheOff', 3, 'cold dashboard');
  atLeast('listWarm', 2, 'cached list');
  const small = figures.listSmallTenants;
  // Each tenant's CPU per request as a multiple of its floor's: the two scenarios never run at the same time,
  // and the machine's speed drifts between their runs by more than the target's margin.
  at(
    'listLargeTenant',
    'tenant size: 10,000-organization tenant CPU/request ≤ 1.15 × 5-organization tenants (each × its floor)',
    (f) =>
      small
        ? {
            pass: f.cpuRatioToFloor <= small.cpuRatioToFloor * 1.15,
            measured: `${f.cpuRatioToFloor} vs ${small.cpuRatioToFloor} × floor (${round(f.cpuRatioToFloor / small.cpuRatioToFloor)} ×); ${f.cpuMsPerRequest} vs ${small.cpuMsPerRequest} ms; ${f.rps} vs ${small.rps} req/s`,
          }
        : { pass: null, measured: '(5-organization tenants not run)' },
  );
  targets.push({
    target: 'cross-vendor dashboard, cold: upstream calls = distinct resources (one request)',
    pass: crossVendorCold.total === crossVendorCold.distinct && crossVendorCold.total > 0,
    measured: `${crossVendorCold.total} calls, ${crossVendorCold.distinct} distinct`,
  });
  at('dashboardCacheOff', 'cold dashboard under load: upstream calls/request ≤ organizations', (f) => ({
    pass: f.upstreamPerRequest <= 20,
    measured: `${f.upstreamPerRequest} per request`,
  }));
  targets.push({
    target: 'cross-vendor dashboard, warm: zero upstream calls (one request)',
    pass: crossVendorWarm.total === 0,
    measured: `${crossVendorWarm.total}`,
  });
  at('dashboardWarm', 'warm dashboard under load: zero upstream calls', (f) => ({
    pass: f.upstreamPerRequest === 0,
    measured: `${f.upstreamPerRequest} per request`,
  }));
  for (const [g, limit, name] of [
    ['cacheOff', 200, 'cache off'],
    ['cacheOn', 250, 'cache on'],
  ] as const) {
    const r = rssFigures[g];
    const peak = Math.max(r.beforeMb, r.afterMb, ...r.peakRoundMb);
    targets.push({ target: `gateway (${name}) RSS < ${limit} MB`, pass: peak < limit, measured: `peak ${peak} MB` });
    // What survives a full collection, not RSS: a peak moves with where the collector happens to be.
    const live = r.liveHeapRoundMb ?? [];
    const first = live[0]!;
    const last = live.at(-1)!;
    targets.push({
      target: `gateway (${name}) heap after a full collection, first to last round's end: growth ≤ 10%`,
      pass: live.length < 2 ? null : last / first - 1 <= 0.1,
      measured:
        live.length < 2 ? 'one round only' : `${first} → ${last} MB (${((last / first - 1) * 100).toFixed(1)}%)`,
    });
  }
  const failures = Object.values(figures).reduce((sum, s) => sum + s.failures, 0);
  targets.push({
    target: 'every response correct (200, no GraphQL errors)',
    pass: failures === 0,
    measured: `${failures} failed`,
  });
  return targets;
}
