import { defineSimulatedVendor } from '../simulated-vendor.js';
import { OUTLIT_SEED } from './seed.js';
import { createOutlitSimulator } from './simulator.js';

/** Outlit in the sandbox: one API key per organization. */
export const outlit = defineSimulatedVendor({
  vendor: 'OUTLIT',
  configKey: 'outlit',
  portOffset: 1,
  contract: 'outlit.yaml',
  create: createOutlitSimulator,
  demoConfig: (baseUrl) => ({
    baseUrl,
    organizations: OUTLIT_SEED.map((o) => ({ id: o.id, displayName: o.name, apiKey: o.apiKey })),
  }),
  credentialLines: () => OUTLIT_SEED.map((o) => `Authorization: Bearer ${o.apiKey}   (organization ${o.id})`),
});
