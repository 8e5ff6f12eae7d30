import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` is a tool, not a test of speed: this runs one short round
 * (`--quick`: every scenario for about a second) and checks that it completes
 * with every response correct and every figure present. No figure is compared
 * with a threshold here.
 */

interface ScenarioFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  upstreamPerRequest: number;
  requests: number;
  failures: number;
}
interface BenchReport {
  scenarios: Record<string, ScenarioFigures>;
  dashboardColdSingleRequest: { total: number; distinct: number };
  dashboardWarmSingleRequest: { total: number };
  gatewayRss: Record<'cacheOff' | 'cacheOn', { beforeMb: number; afterMb: number }>;
  targets: { target: string; pass: boolean | null; measured: string }[];
  failures: number;
}

describe('npm run bench -- --quick', () => {
  it('runs every scenario once and prints every figure as its last line', { timeout: 300_000 }, async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'bench', '--', '--quick'], {
      cwd: join(import.meta.dirname, '..', '..'),
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchReport;

    expect(Object.keys(report.scenarios)).toEqual([
      'floor',
      'listCacheOff',
      'typenameCacheOff',
      'listWarm',
      'dashboardCacheOff',
      'dashboardWarm',
      'deleteConnection',
    ]);
    for (const figures of Object.values(report.scenarios)) {
      expect(figures.requests).toBeGreaterThan(0);
      expect(figures.failures).toBe(0);
      expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
    }
    expect(report.failures).toBe(0);
    // Counters behave: the floor calls the vendor once per request, a delete at least once.
    expect(report.scenarios.floor!.upstreamPerRequest).toBeGreaterThanOrEqual(1);
    // Warm: (nearly) never. Not exactly zero: a Redis command slower than cache.commandTimeoutMs counts as a miss.
    expect(report.scenarios.listWarm!.upstreamPerRequest).toBeLessThan(0.5);
    expect(report.scenarios.deleteConnection!.upstreamPerRequest).toBeGreaterThanOrEqual(1);
    // The dashboard (five organizations across the vendors): no resource read twice; none at all once warm.
    expect(report.dashboardColdSingleRequest.total).toBeGreaterThanOrEqual(5);
    expect(report.dashboardColdSingleRequest.total).toBe(report.dashboardColdSingleRequest.distinct);
    expect(report.dashboardWarmSingleRequest.total).toBeLessThan(report.dashboardColdSingleRequest.total);
    expect(report.gatewayRss.cacheOff.beforeMb).toBeGreaterThan(0);
    expect(report.targets.map((t) => t.target)).toContain('(b) list, cache off ≥ 0.6 × floor');
    expect(stdout).toContain('| (a) floor');
  });
});
