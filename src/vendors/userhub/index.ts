import { defineVendor } from '../registration.js';
import { createUserHubAdapter } from './adapter.js';
import { userhubConfigSchema } from './config.js';

/** UserHub in the vendor registry (src/vendors/registry.ts): tenants configure it under `vendors.userhub`. */
export const userhub = defineVendor({
  vendor: 'USERHUB',
  configKey: 'userhub',
  configSchema: userhubConfigSchema,
  createAdapter: createUserHubAdapter,
});
