import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { newApiKey } from '../helpers/stack.js';

/**
 * Graceful shutdown of the real entry point (src/main.ts) as a child process:
 * on SIGTERM it is unready (503 on /readyz) but still serving for the drain
 * delay, then stops accepting connections, lets in-flight requests finish
 * within the grace period, and exits 0; a request that outlasts the grace is
 * cut and the process still exits 0.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const QUERY = JSON.stringify({ query: '{ organizations { displayName connections { id } } }' });

interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

describe('graceful shutdown on SIGTERM (the gateway as a child process)', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  const apiKey = newApiKey('shutdown');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'junction-shutdown-'));
  });
  afterEach(() => {
    sandbox.reset();
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startGatewayProcess(shutdownGraceMs: number, shutdownDrainDelayMs = 0): Promise<GatewayProcess> {
    const configPath = join(dir, `junction-${shutdownGraceMs}-${shutdownDrainDelayMs}.json`);
    const config = {
      port: 0,
      host: '127.0.0.1',
      shutdownGraceMs,
      shutdownDrainDelayMs,
      tenants: [demoTenantConfig(sandbox, 'acme', apiKey)],
    };
    writeFileSync(configPath, JSON.stringify(config));
    const env: NodeJS.ProcessEnv = { ...process.env, JUNCTION_CONFIG: configPath, LOG_LEVEL: 'info' };
    for (const name of [
      'PORT',
      'HOST',
      'REDIS_URL',
      'REDIS_CLUSTER_NODES',
      'SHUTDOWN_GRACE_MS',
      'SHUTDOWN_DRAIN_DELAY_MS',
      'NODE_ENV',
    ])
      delete env[name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const logs: Record<string, unknown>[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'gateway ready') resolve(String(entry.url));
        }
      });
      void exited.then((code) => reject(new Error(`the gateway exited (${code}) before it was ready`)));
    });
    return { child, url, logs, exited };
  }

  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: QUERY,
    });

  it('stops accepting, finishes the in-flight request, and exits 0', async () => {
    const gateway = await startGatewayProcess(10_000);
    sandbox.get('LEEN').addFault({ latencyMs: 1500 });
    const inFlight = post(gateway.url);
    await vi.waitFor(() => expect(sandbox.totalRequests()).toBeGreaterThan(0), { timeout: 10_000 });

    gateway.child.kill('SIGTERM');
    // New connections are refused while the slow request is still being served.
    await vi.waitFor(() => expect(fetch(new URL('/healthz', gateway.url))).rejects.toThrow(), { timeout: 5_000 });

    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { organizations: { connections: unknown[] }[] }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.organizations.every((o) => Array.isArray(o.connections))).toBe(true);
    expect(await gateway.exited).toBe(0);
    expect(gateway.logs.map((l) => l.msg)).toContain('shut down cleanly');
  });

  it('drains (503 on /readyz, queries still served) until a second SIGTERM, then closes and exits 0', async () => {
    // A drain far longer than the test: it ends on the second signal, so nothing here depends on timing.
    const gateway = await startGatewayProcess(1_000, 600_000);
    gateway.child.kill('SIGTERM');
    await vi.waitFor(
      async () => {
        const res = await fetch(new URL('/readyz', gateway.url));
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ ready: false, checks: { server: 'draining' } });
      },
      { timeout: 15_000, interval: 50 },
    );
    const res = await post(gateway.url);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect((await fetch(new URL('/readyz', gateway.url))).status).toBe(503);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    await expect(fetch(new URL('/healthz', gateway.url))).rejects.toThrow();
    expect(gateway.logs.find((l) => l.signal === 'SIGTERM')).toMatchObject({ drainDelayMs: 600_000, graceMs: 1_000 });
    expect(gateway.logs.map((l) => l.msg)).toContain('shut down cleanly');
  });

  it('cuts a request that outlasts the grace period, and still exits 0', async () => {
    const gateway = await startGatewayProcess(300);
    sandbox.get('LEEN').addFault({ kind: 'hang' });
    const inFlight = post(gateway.url);
    await vi.waitFor(() => expect(sandbox.totalRequests()).toBeGreaterThan(0), { timeout: 10_000 });

    gateway.child.kill('SIGTERM');
    await expect(inFlight).rejects.toThrow();
    expect(await gateway.exited).toBe(0);
  });
});
