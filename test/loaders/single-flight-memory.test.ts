import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * A landed flight's result must die young. The flights map is long-lived and churns; V8 keeps its
 * replaced tables in the old generation until a full collection, so a result reachable from an
 * entry there was promoted by young collections (every cold vendor body, under load).
 */

const FIXTURE = join(import.meta.dirname, 'fixtures', 'flight-promotion.ts');
const run = promisify(execFile);

async function oldGenerationGrowth(objects: number, hold = false): Promise<number> {
  const args = ['--expose-gc', '--min-semi-space-size=32', '--max-semi-space-size=32', '--import', 'tsx', FIXTURE];
  const { stdout } = await run(process.execPath, [...args, String(objects), ...(hold ? ['hold'] : [])]);
  return Number(stdout.trim());
}

describe('single flight and young collections', () => {
  it('a landed flight result is not promoted through the map', async () => {
    const [baseline, held, released] = await Promise.all([
      oldGenerationGrowth(0),
      oldGenerationGrowth(8_000, true),
      oldGenerationGrowth(8_000),
    ]);
    const resultSize = held - baseline;
    // The fixture's own check: a result that is still held is promoted.
    expect(resultSize).toBeGreaterThan(200_000);
    expect(released - baseline).toBeLessThan(resultSize * 0.5);
  });
});
