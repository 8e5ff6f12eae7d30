import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { demoTenantConfig } from './demo-config.js';
import { generateLeenSeed, LEEN_SEED } from './leen/seed.js';
import { startSandbox } from './sandbox.js';

/**
 * The vendor sandbox as a process of its own (for `npm run bench`, or to point
 * a separately started gateway at it):
 *
 *   node dist/sandbox/cli.js [--organizations N --connections M] [--bulk-connections K]
 *
 * Without options it serves the demo seed. `--organizations`/`--connections`
 * replace the Leen seed with N generated organizations of M connections each;
 * `--bulk-connections` adds one more organization with K connections, enough
 * for a delete benchmark to run without re-seeding (`POST /__sandbox/reset`
 * restores them). Prints one JSON line: the simulators' URLs, a tenant config
 * for the seed (API key: JUNCTION_DEMO_KEY, or a random one) and the seeded
 * organizations (every vendor's; the generated Leen ones also under `leen`).
 * Stops on SIGTERM or SIGINT.
 */

const { values } = parseArgs({
  options: {
    organizations: { type: 'string' },
    connections: { type: 'string', default: '10' },
    'bulk-connections': { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const count = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got ${raw}`);
    process.exit(2);
  }
  return n;
};

const generated =
  values.organizations === undefined
    ? [...LEEN_SEED]
    : generateLeenSeed(count('organizations', values.organizations), count('connections', values.connections));
const bulkSize = count('bulk-connections', values['bulk-connections']);
const [bulk] = bulkSize > 0 ? generateLeenSeed(generated.length + 1, bulkSize).slice(-1) : [];
const bulkOrganization = bulk && { ...bulk, name: 'Bench Bulk Org' };
const leenSeed = bulkOrganization ? [...generated, bulkOrganization] : generated;

const sandbox = await startSandbox({ host: values.host, leen: { seed: leenSeed } });
const apiKey = process.env.JUNCTION_DEMO_KEY || `jk_sandbox_${randomBytes(18).toString('base64url')}`;
const tenant = demoTenantConfig(sandbox, 'sandbox', apiKey) as { vendors: { leen: Record<string, unknown> } };
tenant.vendors.leen.organizations = leenSeed.map((o) => ({ id: o.id, displayName: o.name }));

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

const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
