import { SANDBOX_CREDENTIALS } from '../credentials.js';
import { defineSimulatedVendor } from '../simulated-vendor.js';
import { LEEN_SEED } from './seed.js';
import { createLeenSimulator } from './simulator.js';

/** Leen in the sandbox: one API key, in the X-API-KEY header. */
export const leen = defineSimulatedVendor({
  vendor: 'LEEN',
  configKey: 'leen',
  portOffset: 4,
  contract: 'leen.yaml',
  create: createLeenSimulator,
  demoConfig: (baseUrl) => ({
    baseUrl,
    apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
    organizations: LEEN_SEED.map((o) => ({ id: o.id, displayName: o.name })),
  }),
  credentialLines: () => [`X-API-KEY: ${SANDBOX_CREDENTIALS.leen.apiKey}`],
});
