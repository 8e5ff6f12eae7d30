import { defineVendor } from '../registration.js';
import { createProjectManagerAdapter } from './adapter.js';
import { projectManagerConfigSchema } from './config.js';

/** ProjectManager in the vendor registry (src/vendors/registry.ts): tenants configure it under `vendors.projectmanager`. */
export const projectmanager = defineVendor({
  vendor: 'PROJECTMANAGER',
  configKey: 'projectmanager',
  configSchema: projectManagerConfigSchema,
  forwardedCredentialHeader: 'x-junction-projectmanager-token',
  createAdapter: createProjectManagerAdapter,
});
