import { createHash } from 'node:crypto';
import { demoRoleKeys } from './demo-key.js';
import { SIMULATED_VENDORS } from './registered-simulators.js';
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
    vendors: Object.fromEntries(
      SIMULATED_VENDORS.map((simulated) => [
        simulated.configKey,
        simulated.demoConfig(sandbox.get(simulated.vendor).url),
      ]),
    ),
  };
}
