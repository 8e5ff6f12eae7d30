import { defineSimulatedVendor } from '../simulated-vendor.js';
import { PM_USERS } from './seed.js';
import { createProjectManagerSimulator } from './simulator.js';

/** ProjectManager in the sandbox: a token per workspace user. */
export const projectmanager = defineSimulatedVendor({
  vendor: 'PROJECTMANAGER',
  configKey: 'projectmanager',
  portOffset: 5,
  contract: 'projectmanager.yaml',
  create: createProjectManagerSimulator,
  demoConfig: (baseUrl) => ({
    baseUrl,
    // Each workspace's first user; the others' tokens are for forwarded-credential tests.
    organizations: PM_USERS.filter((u, i) => PM_USERS.findIndex((v) => v.workspace === u.workspace) === i).map((u) => ({
      id: u.workspace,
      displayName: u.workspaceName,
      token: u.token,
    })),
  }),
  credentialLines: () => PM_USERS.map((u) => `Authorization: Bearer ${u.token}   (a user of workspace ${u.workspace})`),
});
