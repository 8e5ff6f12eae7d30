import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * `npm start` without a config: src/main.ts in a child process (through tsx,
 * as `npm run dev` runs it), on free ports. The demo key comes from
 * JUNCTION_DEMO_KEY, or is generated and printed.
 */

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  url: string;
}

let running: ChildProcessWithoutNullStreams | null = null;
afterEach(async () => {
  if (running && running.exitCode === null) {
    running.kill('SIGTERM');
    await once(running, 'exit');
  }
  running = null;
});

async function start(env: Record<string, string>): Promise<Started> {
  const {
    JUNCTION_CONFIG: _c,
    JUNCTION_DEMO_KEY: _k,
    JUNCTION_DEMO_KEY_FILE: _f,
    NODE_ENV: _n,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
  });
  running = child;
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /running on the built-in vendor sandbox: (\S+)/.exec(out);
      if (match && /Try:/.test(out)) resolve(match[1]!);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`main exited with ${code}: ${err}`)));
  });
  return { child, stdout: () => out, stderr: () => err, url };
}

const query = (url: string, key: string | null) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== null && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ query: '{ organizations { displayName } }' }),
  });

// Each test starts a process that compiles src/ on the fly: seconds, not milliseconds.
describe('npm start (sandbox demo)', { timeout: 90_000 }, () => {
  it('uses JUNCTION_DEMO_KEY when set, without printing it, and refuses other keys; warns on a Node past end of life', async () => {
    const key = `jk_chosen_${Date.now()}`;
    const { stdout, stderr, url } = await start({ JUNCTION_DEMO_KEY: key });
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 22) expect(stderr()).toContain(`Node.js ${process.version} reached end of life`);
    else expect(stderr()).not.toContain('end of life');
    expect(stdout()).toContain('Demo API key: (from JUNCTION_DEMO_KEY)');
    expect(stdout()).not.toContain(key);
    const ok = await query(url, key);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { organizations: unknown[] } }).data.organizations.length).toBeGreaterThan(0);
    expect((await query(url, 'jk_demo_guess')).status).toBe(401);
    expect((await query(url, null)).status).toBe(401);
  });

  it('generates a random key when JUNCTION_DEMO_KEY is not set, prints it, and shuts down cleanly on SIGTERM', async () => {
    const first = await start({});
    const key = /Demo API key: (jk_demo_\S+)/.exec(first.stdout())![1]!;
    expect(key.length).toBeGreaterThanOrEqual(30);
    expect(first.stdout()).toContain(`authorization: Bearer ${key}`);
    expect((await query(first.url, key)).status).toBe(200);
    // One key per role: the reader's may query, and a mutation with it is refused.
    const reader = /^\s+reader\s+(jk_demo_reader_\S+)\s+\(read\)$/m.exec(first.stdout())?.[1];
    expect(first.stdout()).toMatch(/^\s+writer\s+jk_demo_writer_\S+\s+\(read, write\)$/m);
    expect(first.stdout()).toMatch(/^\s+introspector\s+jk_demo_introspector_\S+\s+\(introspect\)$/m);
    expect((await query(first.url, reader!)).status).toBe(200);
    const mutation = await fetch(first.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
      body: JSON.stringify({
        query: 'mutation { deleteConnection(input: { connectionId: "x", dryRun: true }) { dryRun } }',
      }),
    });
    expect(mutation.status).toBe(403);
    first.child.kill('SIGTERM');
    const [code] = (await once(first.child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('keeps the key in JUNCTION_DEMO_KEY_FILE across restarts, as `npm run dev` reloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-key-'));
    try {
      const keyFile = join(dir, 'demo-key');
      const first = await start({ JUNCTION_DEMO_KEY_FILE: keyFile });
      const key = /Demo API key: (jk_demo_\S+)/.exec(first.stdout())![1]!;
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
      first.child.kill('SIGTERM');
      await once(first.child, 'exit');
      const second = await start({ JUNCTION_DEMO_KEY_FILE: keyFile });
      expect(second.stdout()).toContain(`Demo API key: ${key}`);
      expect((await query(second.url, key)).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start with a bad config', () => {
  it('is refused by the check that runs before the build, naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-config-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'port: not-a-port\n');
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/check-config.ts')], {
        cwd: ROOT,
        env: { ...process.env, JUNCTION_CONFIG: join(dir, 'bad.yaml') },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('port');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
