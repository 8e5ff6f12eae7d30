import { SANDBOX_CREDENTIALS } from '../credentials.js';
import { defineSimulatedVendor } from '../simulated-vendor.js';
import { SUPERVITY_SEED } from './seed.js';
import { createSupervitySimulator } from './simulator.js';

/** Supervity in the sandbox: a service account's token, and a user's own for forwarded-credential requests. */
export const supervity = defineSimulatedVendor({
  vendor: 'SUPERVITY',
  configKey: 'supervity',
  portOffset: 2,
  contract: 'workflows.yaml',
  create: createSupervitySimulator,
  demoConfig: (baseUrl) => ({
    baseUrl,
    token: SANDBOX_CREDENTIALS.supervity.token,
    organizations: SUPERVITY_SEED.map((o) => ({ id: o.id, displayName: o.name })),
  }),
  credentialLines: () => [
    `Authorization: Bearer ${SANDBOX_CREDENTIALS.supervity.token}   (service account)`,
    `Authorization: Bearer ${SANDBOX_CREDENTIALS.supervity.userToken}   (a user, for X-Junction-Supervity-Token)`,
  ],
});
