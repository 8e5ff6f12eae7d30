import { SANDBOX_CREDENTIALS } from '../credentials.js';
import { defineSimulatedVendor } from '../simulated-vendor.js';
import { USERHUB_SEED } from './seed.js';
import { createUserHubSimulator } from './simulator.js';

/** UserHub in the sandbox: one admin API key. */
export const userhub = defineSimulatedVendor({
  vendor: 'USERHUB',
  configKey: 'userhub',
  portOffset: 3,
  contract: 'userhub.yaml',
  create: createUserHubSimulator,
  demoConfig: (baseUrl) => ({
    baseUrl,
    apiKey: SANDBOX_CREDENTIALS.userhub.apiKey,
    organizations: USERHUB_SEED.map((o) => ({ id: o.id })),
  }),
  credentialLines: () => [`Authorization: Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}`],
});
