import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/domain/bounded-memo.js';

describe('boundedMemo', () => {
  it('computes a key once, undefined results included, and forgets everything once full', () => {
    const recall = boundedMemo<string, string | undefined>(2);
    const computed: string[] = [];
    const compute = (key: string) => (computed.push(key), key === 'none' ? undefined : key.toUpperCase());
    expect(recall('a', compute)).toBe('A');
    expect(recall('none', compute)).toBeUndefined();
    expect(recall('a', compute)).toBe('A');
    expect(recall('none', compute)).toBeUndefined();
    expect(computed).toEqual(['a', 'none']);
    // A third key finds it full: all are forgotten, so 'a' is worked out again.
    expect(recall('b', compute)).toBe('B');
    expect(recall('a', compute)).toBe('A');
    expect(computed).toEqual(['a', 'none', 'b', 'a']);
  });
});
