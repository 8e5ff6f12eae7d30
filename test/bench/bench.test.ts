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
  cpuMsPerRequest: number;
  requests: number;
  failures: number;
}
interface BenchReport {
  scenarios: Record<string, ScenarioFigures>;
  crossVendorDashboard: { cold: { total: number; distinct: number }; warm: { total: number } };
  rss: Record<'cacheOff' | 'cacheOn' | 'floor', { beforeMb: number; afterMb: number }>;
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
    ]);
    for (const figures of Object.values(report.scenarios)) {
      expect(figures.requests).toBeGreaterThan(0);
      expect(figures.failures).toBe(0);
      expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
      expect(figures.cpuMsPerRequest).toBeGreaterThan(0);
    }
    expect(report.failures).toBe(0);
    // Counters behave: the floor calls the vendor once per organization, a delete at least once.
    expect(report.scenarios.floorList!.upstreamPerRequest).toBeGreaterThanOrEqual(1);
    expect(report.scenarios.floorDashboard!.upstreamPerRequest).toBeGreaterThanOrEqual(20);
    // Cold reads are cold: each request reads its own organization, so no vendor call is shared.
    expect(report.scenarios.listCacheOff!.upstreamPerRequest).toBeGreaterThanOrEqual(0.95);
    expect(report.scenarios.dashboardCacheOff!.upstreamPerRequest).toBeGreaterThanOrEqual(19);
    // Deduplication: one organization for every request shares vendor calls.
    expect(report.scenarios.listSameOrgCacheOff!.upstreamPerRequest).toBeLessThan(1);
    // Warm: (nearly) never. Not exactly zero: a Redis command slower than cache.commandTimeoutMs counts as a miss.
    expect(report.scenarios.listWarm!.upstreamPerRequest).toBeLessThan(0.5);
    expect(report.scenarios.deleteConnection!.upstreamPerRequest).toBeGreaterThanOrEqual(1);
    // The cross-vendor dashboard (one organization per vendor): no resource read twice; none at all once warm.
    expect(report.crossVendorDashboard.cold.total).toBeGreaterThanOrEqual(5);
    expect(report.crossVendorDashboard.cold.total).toBe(report.crossVendorDashboard.cold.distinct);
    expect(report.crossVendorDashboard.warm.total).toBeLessThan(report.crossVendorDashboard.cold.total);
    expect(report.rss.cacheOff.beforeMb).toBeGreaterThan(0);
    expect(report.targets.map((t) => t.target)).toContain('cold list ≥ 0.5 × floor req/s');
    expect(stdout).toContain('| floor: node:http');
  });
});
