import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from '../../src/heap-growth.js';

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
