import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { DemoRoleKey } from './demo-key.js';
import { SIMULATED_VENDORS } from './registered-simulators.js';
import type { RunningSandbox } from './sandbox.js';

/** What `npm run sandbox` writes and prints for a gateway started by hand in another terminal. */

/** Writes a ready JUNCTION_CONFIG file (YAML) holding one tenant pointed at the running simulators. */
export function writeSandboxConfig(path: string, tenant: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  const header = [
    '# Written by `npm run sandbox`: one tenant whose vendors are the sandbox simulators.',
    '# Start a gateway on it with: JUNCTION_CONFIG=<this file> npm start',
    "# The credentials below are the simulators' demo values, not secrets.",
    '',
  ].join('\n');
  writeFileSync(path, header + stringify({ tenants: [tenant] }), { mode: 0o600 });
}

export function describeSandbox(options: {
  sandbox: RunningSandbox;
  configPath: string;
  apiKey: string;
  keySource: string;
  /** The other roles' keys (demo-key.ts). */
  roleKeys: readonly DemoRoleKey[];
}): string {
  const { sandbox, configPath, apiKey, keySource, roleKeys } = options;
  const lines = ['', 'Junction vendor sandbox: five stateful simulators', ''];
  for (const { vendor, credentialLines } of SIMULATED_VENDORS) {
    lines.push(`  ${vendor.padEnd(15)} ${sandbox.get(vendor).url}`);
    for (const credential of credentialLines()) lines.push(`  ${''.padEnd(15)}   ${credential}`);
  }
  lines.push(
    '',
    `Gateway config (tenant "sandbox", every vendor above): ${configPath}`,
    `API key of tenant "sandbox": ${apiKey}   (${keySource}; role admin: every scope)`,
    'A key per role (README "Roles and scopes"):',
    ...roleKeys
      .filter(({ role }) => role !== 'admin')
      .map(({ role, key, scopes }) => `  ${role.padEnd(13)} ${key}   (${scopes.join(', ')})`),
    '',
    'In another terminal, a gateway on it:',
    `  JUNCTION_CONFIG=${configPath} npm start`,
    'then:',
    `  curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' -H "authorization: Bearer ${apiKey}" \\`,
    `    -d '{"query":"query Organizations { organizations { displayName vendor } }"}'`,
    '',
    'Admin routes on each simulator: GET /__sandbox/stats, POST /__sandbox/reset, POST|DELETE /__sandbox/faults.',
    'Ctrl-C stops the sandbox.',
    '',
  );
  return lines.join('\n');
}
