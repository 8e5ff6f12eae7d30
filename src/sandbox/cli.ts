import { resolve } from 'node:path';
import { parseCommandLine } from '../command-line.js';
import { VENDORS, type Vendor } from '../domain/models.js';
import { demoRoleKeys, LOCAL_DEMO_KEY_FILE, persistedDemoKey, randomDemoKey } from './demo-key.js';
import { demoTenantConfig } from './demo-config.js';
import { generateLeenSeed, LEEN_SEED } from './leen/seed.js';
import { generateScaleSeed } from './scale-seed.js';
import { SANDBOX_BASE_PORT, SANDBOX_PORT_OFFSETS, startSandbox } from './sandbox.js';
import { describeSandbox, writeSandboxConfig } from './standalone.js';

/**
 * The vendor sandbox as a process of its own (`npm run sandbox`), to point a
 * separately started gateway at:
 *
 *   npm run sandbox [-- --base-port 4100 --port LEEN=5104 --config .junction/sandbox.yaml --key-file F]
 *
 * Simulators listen on base port + 1…5 (Outlit, Supervity, UserHub, Leen,
 * ProjectManager; JUNCTION_SANDBOX_BASE_PORT; `--base-port 0`: free ports), the
 * credentials they accept are printed, and a ready JUNCTION_CONFIG file is written
 * with one tenant whose API key is JUNCTION_DEMO_KEY or the checkout's persisted
 * demo key (.junction/demo-key), printed.
 *
 * `--json` (the bench's mode) prints one JSON line instead: the simulators' URLs,
 * the tenant config, the seeded organizations; with `--organizations N
 * --connections M` the Leen seed is N generated organizations of M connections,
 * `--bulk-connections K` adds one more of K connections (`POST /__sandbox/reset`
 * restores them). `--scale N` seeds N generated organizations of 10 connections
 * each, half Leen's and half UserHub's (`--scale 10000`: 100,000 connections),
 * all listed for the tenant: a tenant the size pages and the sync are measured
 * at. Stops on SIGTERM or SIGINT.
 */

const USAGE = `Usage: npm run sandbox [-- OPTIONS]

Starts the five vendor simulators, prints the credentials they accept and an API key,
and writes a gateway config pointed at them.

  --base-port N        simulators on ports N+1…N+5 (default ${SANDBOX_BASE_PORT} or JUNCTION_SANDBOX_BASE_PORT; 0: free ports)
  --port VENDOR=PORT   one simulator's port, e.g. --port leen=6000 (repeatable)
  --host HOST          address to listen on (default 127.0.0.1)
  --config PATH        where the gateway config is written (default .junction/sandbox.yaml)
  --key-file PATH      where the tenant's API key is kept (default ${LOCAL_DEMO_KEY_FILE})
  --organizations N    seed N generated Leen organizations of --connections M (default 10) each
  --bulk-connections K one more Leen organization of K connections
  --scale N            N generated organizations of 10 connections, half Leen, half UserHub
  --json               print one JSON line (URLs, tenant config, organizations) instead
  --help               this text
`;

const { values } = parseCommandLine('npm run sandbox', USAGE, {
  options: {
    help: { type: 'boolean', short: 'h', default: false },
    organizations: { type: 'string' },
    scale: { type: 'string' },
    connections: { type: 'string', default: '10' },
    'bulk-connections': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'base-port': { type: 'string', default: process.env.JUNCTION_SANDBOX_BASE_PORT || String(SANDBOX_BASE_PORT) },
    port: { type: 'string', multiple: true, default: [] },
    config: { type: 'string', default: '.junction/sandbox.yaml' },
    'key-file': { type: 'string', default: LOCAL_DEMO_KEY_FILE },
    json: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

const count = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, got ${raw}`);
  return n;
};

function ports(): Partial<Record<Vendor, number>> {
  const base = count('base-port', values['base-port']);
  if (base > 65535 - 5) fail(`--base-port must leave room for five ports, got ${base}`);
  const chosen: Partial<Record<Vendor, number>> = {};
  for (const vendor of VENDORS) chosen[vendor] = base === 0 ? 0 : base + SANDBOX_PORT_OFFSETS[vendor];
  for (const entry of values.port) {
    const [name, raw] = entry.split('=');
    const vendor = name?.toUpperCase() as Vendor;
    if (!VENDORS.includes(vendor)) fail(`--port takes VENDOR=PORT with VENDOR one of ${VENDORS.join(', ')}`);
    chosen[vendor] = count('port', raw);
  }
  return chosen;
}

const scale = values.scale === undefined ? undefined : generateScaleSeed(count('scale', values.scale));
const generated = scale
  ? scale.leen
  : values.organizations === undefined
    ? [...LEEN_SEED]
    : generateLeenSeed(count('organizations', values.organizations), count('connections', values.connections));
const bulkSize = count('bulk-connections', values['bulk-connections']);
const [bulk] = bulkSize > 0 ? generateLeenSeed(1, bulkSize, generated.length) : [];
const bulkOrganization = bulk && { ...bulk, name: 'Bench Bulk Org' };
const leenSeed = bulkOrganization ? [...generated, bulkOrganization] : generated;

const sandbox = await startSandbox({
  host: values.host,
  ports: ports(),
  leen: { seed: leenSeed },
  ...(scale && { userhub: { seed: scale.userhub.organizations, connections: scale.userhub.connections } }),
}).catch((error: NodeJS.ErrnoException) =>
  fail(
    error.code === 'EADDRINUSE'
      ? `A sandbox port is taken (${error.message}): stop the other sandbox, or choose --base-port N (or JUNCTION_SANDBOX_BASE_PORT).`
      : `The sandbox failed to start: ${error.message}`,
  ),
);
const apiKey =
  process.env.JUNCTION_DEMO_KEY ||
  (values.json ? randomDemoKey('jk_sandbox') : persistedDemoKey(values['key-file'], 'jk_demo'));
const tenant = demoTenantConfig(sandbox, 'sandbox', apiKey) as {
  vendors: { leen: Record<string, unknown>; userhub: Record<string, unknown> };
};
tenant.vendors.leen.organizations = leenSeed.map((o) => ({ id: o.id, displayName: o.name }));
if (scale) tenant.vendors.userhub.organizations = scale.userhub.organizations.map((o) => ({ id: o.id }));

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({
      urls: Object.fromEntries([...sandbox.simulators].map(([vendor, simulator]) => [vendor, simulator.url])),
      tenant,
      // Every organization of the tenant, per vendor in configuration order (Leen's are the generated ones).
      organizations: Object.entries(tenant.vendors as Record<string, { organizations?: { id: string }[] }>).flatMap(
        ([vendor, settings]) => (settings.organizations ?? []).map((o) => ({ vendor: vendor.toUpperCase(), id: o.id })),
      ),
      leen: generated.map((o) => ({ id: o.id, connections: o.connections.length })),
      bulk: bulkOrganization
        ? { vendor: 'LEEN', id: bulkOrganization.id, connectionIds: bulkOrganization.connections.map((c) => c.id) }
        : null,
    })}\n`,
  );
} else {
  const configPath = resolve(values.config);
  writeSandboxConfig(configPath, tenant);
  // A key chosen through the environment is not echoed; the persisted one is printed for pasting.
  const fromEnv = Boolean(process.env.JUNCTION_DEMO_KEY);
  process.stdout.write(
    describeSandbox({
      sandbox,
      configPath,
      apiKey: fromEnv ? '$JUNCTION_DEMO_KEY' : apiKey,
      keySource: fromEnv ? 'from JUNCTION_DEMO_KEY' : `kept in ${values['key-file']}; delete it for a new one`,
      roleKeys: demoRoleKeys(apiKey),
    }),
  );
}

const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
