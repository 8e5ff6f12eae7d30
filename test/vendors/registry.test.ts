import { describe, expect, it } from 'vitest';
import { Vendor } from '../../src/__generated__/schema-enums.js';
import { VENDOR_REGISTRY } from '../../src/vendors/registered-vendors.js';

describe('the vendor registry', () => {
  it("registers every value of the schema's Vendor enum, each once", () => {
    expect(VENDOR_REGISTRY.map((r) => r.vendor).sort()).toEqual(Object.values(Vendor).sort());
  });

  it('gives each vendor its own config key', () => {
    const keys = VENDOR_REGISTRY.map((r) => r.configKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
