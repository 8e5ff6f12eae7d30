import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SANDBOX_BASE_PORT, SANDBOX_PORT_OFFSETS } from '../../src/sandbox/sandbox.js';
import { freePortRange, ROOT, startSource, type Child } from '../helpers/processes.js';

/**
 * `npm run sandbox` as a user runs it: the CLI in one process, printing its
 * simulators, their credentials and an API key and writing a config file; a
 * gateway in another process started on that file alone (JUNCTION_CONFIG), queried
 * with the printed key.
 */

const VENDORS = ['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER'];

let dir: string;
let basePort: number;
let sandbox: Child;
let gateway: Child;
let apiKey: string;
let gatewayUrl: string;

const sandboxArgs = (configPath: string, ...more: string[]) => [
  '--config',
  configPath,
  '--key-file',
  join(dir, 'demo-key'),
  ...more,
];

const query = async (key: string, document: string) => {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: document }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] },
  };
};

// Two processes compiling src/ on the fly: seconds each.
describe('npm run sandbox, and a gateway on the config it writes', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-sandbox-'));
    basePort = await freePortRange(6);
    sandbox = startSource(
      'src/sandbox/cli.ts',
      sandboxArgs(join(dir, 'sandbox.yaml'), '--base-port', String(basePort)),
    );
    apiKey = (await sandbox.waitFor(/API key of tenant "sandbox": (\S+)/))[1]!;
    await sandbox.waitFor(/Ctrl-C stops the sandbox/);
    gateway = startSource('src/main.ts', [], {
      JUNCTION_CONFIG: join(dir, 'sandbox.yaml'),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    gatewayUrl = (await gateway.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"[^\n]*"msg":"gateway ready"/))[1]!;
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on the base port plus one per vendor, and prints each simulator with the credentials it accepts', () => {
    const out = sandbox.stdout();
    VENDORS.forEach((vendor, i) =>
      expect(out).toMatch(new RegExp(`${vendor} +http://127\\.0\\.0\\.1:${basePort + i + 1}\\n`)),
    );
    expect(out).toContain('X-API-KEY: leen_sandbox_key_0f3a9c');
    expect(out).toContain('Authorization: Bearer uh_admin_sandbox_7c41e2');
    expect(out).toContain(`JUNCTION_CONFIG=${join(dir, 'sandbox.yaml')} npm start`);
  });

  it('writes a config that validates, and keeps the printed key in the key file', () => {
    const config = loadConfig({ JUNCTION_CONFIG: join(dir, 'sandbox.yaml') });
    expect(config.tenants.map((t) => t.id)).toEqual(['sandbox']);
    expect(apiKey).toMatch(/^jk_demo_[\w-]{24}$/);
    expect(readFileSync(join(dir, 'demo-key'), 'utf8').trim()).toBe(apiKey);
  });

  it('serves all five vendors to a gateway started on that file, for the printed key only', async () => {
    const { status, body } = await query(apiKey, 'query Organizations { organizations { vendor } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const vendors = new Set((body.data!.organizations as { vendor: string }[]).map((o) => o.vendor));
    expect([...vendors].sort()).toEqual([...VENDORS].sort());
    expect((await query(`${apiKey}x`, 'query Organizations { organizations { vendor } }')).status).toBe(401);
  });

  it('says which port is taken and exits when one is', async () => {
    const clash = startSource(
      'src/sandbox/cli.ts',
      sandboxArgs(join(dir, 'other.yaml'), '--base-port', '0', '--port', `leen=${basePort + 4}`),
    );
    expect(await clash.exited()).toBe(2);
    expect(clash.stderr()).toContain('A sandbox port is taken');
    expect(clash.stderr()).toContain('--base-port');
  });

  it('lists its options on --help, and names an unknown option in one line', async () => {
    const help = startSource('src/sandbox/cli.ts', ['--help']);
    expect(await help.exited()).toBe(0);
    for (const option of ['--base-port', '--port', '--config', '--key-file', '--scale', '--json'])
      expect(help.stdout()).toContain(option);
    const unknown = startSource('src/sandbox/cli.ts', ['--bogus']);
    expect(await unknown.exited()).toBe(2);
    expect(unknown.stderr()).toContain("Unknown option '--bogus'");
    expect(unknown.stderr()).toContain('npm run sandbox -- --help');
    expect(unknown.stderr()).not.toMatch(/\n\s+at /);
  });

  it('prints the same key on the next start (free ports this time)', async () => {
    const again = startSource('src/sandbox/cli.ts', sandboxArgs(join(dir, 'again.yaml'), '--base-port', '0'));
    try {
      expect((await again.waitFor(/API key of tenant "sandbox": (\S+)/))[1]).toBe(apiKey);
      await again.waitFor(/Ctrl-C stops the sandbox/);
      expect(again.stdout()).not.toContain(`127.0.0.1:${basePort + 1}\n`);
    } finally {
      await again.stop();
    }
  });
});

// The scale tenant (`--scale N`): N organizations of 10 connections, split between Leen and UserHub.
describe('npm run sandbox -- --scale 100, and a gateway on the config it writes', { timeout: 90_000 }, () => {
  let scaleDir: string;
  let scaleSandbox: Child;
  let scaleGateway: Child;
  let scaleKey: string;
  let scaleUrl: string;

  beforeAll(async () => {
    scaleDir = mkdtempSync(join(tmpdir(), 'junction-sandbox-scale-'));
    const configPath = join(scaleDir, 'sandbox.yaml');
    scaleSandbox = startSource('src/sandbox/cli.ts', [
      '--config',
      configPath,
      '--key-file',
      join(scaleDir, 'demo-key'),
      '--base-port',
      '0',
      '--scale',
      '100',
    ]);
    scaleKey = (await scaleSandbox.waitFor(/API key of tenant "sandbox": (\S+)/))[1]!;
    await scaleSandbox.waitFor(/Ctrl-C stops the sandbox/);
    scaleGateway = startSource('src/main.ts', [], {
      JUNCTION_CONFIG: configPath,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    scaleUrl = (
      await scaleGateway.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"[^\n]*"msg":"gateway ready"/)
    )[1]!;
  }, 90_000);

  afterAll(async () => {
    await scaleGateway?.stop();
    await scaleSandbox?.stop();
    rmSync(scaleDir, { recursive: true, force: true });
  });

  it('lists 50 Leen and 50 UserHub organizations for the tenant in the written config', () => {
    const tenant = loadConfig({ JUNCTION_CONFIG: join(scaleDir, 'sandbox.yaml') }).tenants[0]!;
    expect(tenant.vendors.leen?.organizations).toHaveLength(50);
    expect(tenant.vendors.userhub?.organizations).toHaveLength(50);
  });

  it('serves 1,000 distinct connections across both vendors, page by page', async () => {
    const PAGE = `query ($after: String) {
      connections(first: 100, after: $after, filter: { vendor: [LEEN, USERHUB] }) {
        totalCount
        edges { node { id vendor } }
        pageInfo { hasNextPage endCursor }
        vendorErrors { code }
      }
    }`;
    type Page = {
      totalCount: number;
      edges: { node: { id: string; vendor: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      vendorErrors: unknown[];
    };
    const ids = new Set<string>();
    const perVendor: Record<string, number> = {};
    let after: string | null = null;
    let totalCount = 0;
    // Pages of 100 (under the query-cost limit): about ten of them.
    for (let n = 0; n < 30; n++) {
      const response = await fetch(scaleUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${scaleKey}` },
        body: JSON.stringify({ query: PAGE, variables: { after } }),
      });
      const body = (await response.json()) as { data?: { connections: Page }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      const page = body.data!.connections;
      expect(page.vendorErrors).toEqual([]);
      totalCount = page.totalCount;
      for (const { node } of page.edges) {
        ids.add(node.id);
        perVendor[node.vendor] = (perVendor[node.vendor] ?? 0) + 1;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(ids.size).toBe(1000);
    expect(perVendor).toEqual({ LEEN: 500, USERHUB: 500 });
    expect(totalCount).toBe(1000);
  });
});

describe("README's sandbox ports", () => {
  it('are the ports the sandbox listens on by default', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\| (Outlit|Supervity|UserHub|Leen|ProjectManager) +\| (\d+) +\|/gm)].map((m) => [
        m[1]!.toUpperCase(),
        Number(m[2]),
      ]),
    );
    expect(documented).toEqual(
      Object.fromEntries(
        Object.entries(SANDBOX_PORT_OFFSETS).map(([vendor, offset]) => [vendor, SANDBOX_BASE_PORT + offset]),
      ),
    );
  });
});
