import { describe, expect, it } from 'vitest';
import { nodeSupportWarning } from '../../src/node-support.js';

describe('the Node.js start-up check', () => {
  it('names the end of life of Node 20 and 18, and accepts the LTS lines 22 and 24 and later', () => {
    expect(nodeSupportWarning('v20.20.2')).toContain('reached end of life on 2026-04-30');
    expect(nodeSupportWarning('v18.19.0')).toContain('reached end of life on 2025-04-30');
    expect(nodeSupportWarning('v16.0.0')).toContain('is not supported');
    expect(nodeSupportWarning('v22.12.0')).toBeNull();
    expect(nodeSupportWarning('v24.1.0')).toBeNull();
    expect(nodeSupportWarning('v25.0.0')).toBeNull();
  });
});
