import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  boundHeapGrowth,
  HEAP_GROWING_PERCENT,
  NODE_HEAP_FLAGS,
  NODE_MALLOC_ENV,
  stopPretenuring,
} from '../../src/heap-growth.js';

describe('the heap growth bound set at start-up', () => {
  it("leaves node's own --heap-growing-percent alone", () => {
    expect(boundHeapGrowth(HEAP_GROWING_PERCENT, ['--heap-growing-percent=80'])).toBe(false);
    expect(boundHeapGrowth(HEAP_GROWING_PERCENT, ['--max-old-space-size=512', '--heap_growing_percent=80'])).toBe(
      false,
    );
  });

  it('sets it otherwise, and the process goes on', () => {
    expect(boundHeapGrowth(HEAP_GROWING_PERCENT, ['--enable-source-maps'])).toBe(true);
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(0);
  });
});

describe('allocation-site pretenuring, turned off at start-up', () => {
  it("leaves node's own choice alone, either way", () => {
    expect(stopPretenuring(['--allocation-site-pretenuring'])).toBe(false);
    expect(stopPretenuring(['--no-allocation-site-pretenuring'])).toBe(false);
    expect(stopPretenuring(['--no_allocation_site_pretenuring'])).toBe(false);
  });

  it('turns it off otherwise, and the process goes on', () => {
    expect(stopPretenuring(['--enable-source-maps'])).toBe(true);
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(0);
  });
});

describe("node's heap flags on the command line (Node 24 takes them from there only) and its malloc environment", () => {
  it('are the ones npm start runs with (the image runs its command: deployment-files.test.ts)', () => {
    const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: { start: string };
    };
    const environment = Object.entries(NODE_MALLOC_ENV).map(([name, value]) => `${name}=${value}`);
    // Through cross-env: npm runs scripts in cmd.exe on Windows, which has no `NAME=value command` form.
    expect(packageJson.scripts.start).toBe(
      `cross-env ${environment.join(' ')} node ${NODE_HEAP_FLAGS.join(' ')} dist/main.js`,
    );
    expect(NODE_MALLOC_ENV).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(NODE_HEAP_FLAGS).toEqual([
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
      '--max-semi-space-size=16',
      '--no-allocation-site-pretenuring',
    ]);
  });
});
