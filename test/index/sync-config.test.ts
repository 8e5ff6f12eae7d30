import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

describe('sync config', () => {
  it('is off by default, with a lease shorter than the interval', () => {
    expect(loadConfig({}, {}).sync).toMatchObject({ enabled: false, intervalSeconds: 60, leaseSeconds: 30 });
    expect(loadConfig({}, { sync: { enabled: true, intervalSeconds: 20 } }).sync.leaseSeconds).toBe(10);
  });
  it('refuses a lease as long as the interval (a dead instance would keep its units past it)', () => {
    expect(() => loadConfig({}, { sync: { intervalSeconds: 20, leaseSeconds: 20 } })).toThrow(
      /sync\.leaseSeconds: must be shorter than intervalSeconds/,
    );
  });
});
