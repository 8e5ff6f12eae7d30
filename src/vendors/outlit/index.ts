import { defineVendor } from '../registration.js';
import { createOutlitAdapter } from './adapter.js';
import { outlitConfigSchema } from './config.js';

/** Outlit in the vendor registry (src/vendors/registry.ts): tenants configure it under `vendors.outlit`. */
export const outlit = defineVendor({
  vendor: 'OUTLIT',
  configKey: 'outlit',
  configSchema: outlitConfigSchema,
  createAdapter: createOutlitAdapter,
});
