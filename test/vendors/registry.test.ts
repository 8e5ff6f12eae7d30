import { describe, expect, it } from 'vitest';
import { Vendor } from '../../src/__generated__/schema-enums.js';
import { SIMULATED_VENDORS } from '../../src/sandbox/registered-simulators.js';
import { VENDOR_REGISTRY } from '../../src/vendors/registered-vendors.js';

describe('the vendor registry', () => {
  it("registers every value of the schema's Vendor enum, each once", () => {
    expect(VENDOR_REGISTRY.map((r) => r.vendor).sort()).toEqual(Object.values(Vendor).sort());
  });

  it('gives each vendor its own config key', () => {
    const keys = VENDOR_REGISTRY.map((r) => r.configKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has a simulator in the sandbox for every vendor, under the same config key, on its own port', () => {
    expect(SIMULATED_VENDORS.map((s) => [s.vendor, s.configKey])).toEqual(
      VENDOR_REGISTRY.map((r) => [r.vendor, r.configKey]),
    );
    const offsets = SIMULATED_VENDORS.map((s) => s.portOffset);
    expect(new Set(offsets).size).toBe(offsets.length);
  });
});
