import { defineVendor } from '../registration.js';
import { createSupervityAdapter } from './adapter.js';
import { supervityConfigSchema } from './config.js';

/** Supervity in the vendor registry (src/vendors/registry.ts): tenants configure it under `vendors.supervity`. */
export const supervity = defineVendor({
  vendor: 'SUPERVITY',
  configKey: 'supervity',
  configSchema: supervityConfigSchema,
  forwardedCredentialHeader: 'x-junction-supervity-token',
  createAdapter: createSupervityAdapter,
});
