import { createHash } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from './credentials.js';
import { demoRoleKeys } from './demo-key.js';
import { LEEN_SEED } from './leen/seed.js';
import { SUPERVITY_SEED } from './supervity/seed.js';
import { USERHUB_SEED } from './userhub/seed.js';
import { OUTLIT_SEED } from './outlit/seed.js';
import { PM_USERS } from './projectmanager/seed.js';
import type { RunningSandbox } from './sandbox.js';

/**
 * The demo tenant of `npm start`: every vendor pointed at the running sandbox,
 * every seeded organization configured, one API key per role (demo-key.ts:
 * `apiKey` is the admin's). Returned as raw config (what a config file would
 * hold) so it goes through the same validation as a real one.
 */
export function demoTenantConfig(sandbox: RunningSandbox, tenantId: string, apiKey: string): Record<string, unknown> {
  return {
    id: tenantId,
    name: 'Sandbox demo',
    apiKeys: demoRoleKeys(apiKey).map(({ role, key, scopes }) => ({
      id: `demo-${role}`,
      sha256: createHash('sha256').update(key).digest('hex'),
      scopes,
    })),
    vendors: {
      outlit: {
        baseUrl: sandbox.get('OUTLIT').url,
        organizations: OUTLIT_SEED.map((o) => ({ id: o.id, displayName: o.name, apiKey: o.apiKey })),
      },
      supervity: {
        baseUrl: sandbox.get('SUPERVITY').url,
        token: SANDBOX_CREDENTIALS.supervity.token,
        organizations: SUPERVITY_SEED.map((o) => ({ id: o.id, displayName: o.name })),
      },
      userhub: {
        baseUrl: sandbox.get('USERHUB').url,
        apiKey: SANDBOX_CREDENTIALS.userhub.apiKey,
        organizations: USERHUB_SEED.map((o) => ({ id: o.id })),
      },
      leen: {
        baseUrl: sandbox.get('LEEN').url,
        apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
        organizations: LEEN_SEED.map((o) => ({ id: o.id, displayName: o.name })),
      },
      projectmanager: {
        baseUrl: sandbox.get('PROJECTMANAGER').url,
        // Each workspace's first user; the others' tokens are for forwarded-credential tests.
        organizations: PM_USERS.filter((u, i) => PM_USERS.findIndex((v) => v.workspace === u.workspace) === i).map(
          (u) => ({ id: u.workspace, displayName: u.workspaceName, token: u.token }),
        ),
      },
    },
  };
}
