import { defineVendor } from '../registration.js';
import { createLeenAdapter } from './adapter.js';
import { leenConfigSchema } from './config.js';

/** Leen in the vendor registry (src/vendors/registry.ts): tenants configure it under `vendors.leen`. */
export const leen = defineVendor({
  vendor: 'LEEN',
  configKey: 'leen',
  configSchema: leenConfigSchema,
  createAdapter: createLeenAdapter,
});
