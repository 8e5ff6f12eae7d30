import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSource, type Child } from '../helpers/processes.js';

/**
 * What a gateway process holds before any request: src/main.ts in a child
 * process (through tsx) with a preload recording every module it loads
 * (test/helpers/record-modules.mjs). A subsystem the config leaves off is not
 * loaded at all; one the config turns on is (the sandbox demo turns them on).
 */

const PRELOAD = fileURLToPath(new URL('../helpers/record-modules.mjs', import.meta.url));
const MB = 1024 * 1024;

let dir = '';
let child: Child | null = null;
afterEach(async () => {
  if (child && child.child.exitCode === null) {
    child.child.kill('SIGTERM');
    await once(child.child, 'exit');
  }
  child = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startRecorded(config: object | null) {
  dir = mkdtempSync(join(tmpdir(), 'junction-start-up-'));
  const modules = join(dir, 'modules.txt');
  const env: Record<string, string> = {
    RECORD_MODULES_FILE: modules,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  if (config) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    env.JUNCTION_CONFIG = join(dir, 'config.json');
  }
  child = startSource('src/main.ts', [], env);
  await child.waitFor(/"gateway ready"/);
  const loaded = () => readFileSync(modules, 'utf8');
  const heapSpaces = async (): Promise<Record<string, number>> => {
    const file = `${modules}.heap.json`;
    child!.child.kill('SIGUSR2');
    while (!existsSync(file)) await new Promise((resolve) => setImmediate(resolve));
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  };
  return { loaded, heapSpaces };
}

const ONE_TENANT = {
  tenants: [
    {
      id: 'acme',
      apiKeySha256: ['0'.repeat(64)],
      vendors: {
        leen: {
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'leen-key',
          organizations: [{ id: '3f0c1f0e-0000-4000-8000-000000000001' }],
        },
      },
    },
  ],
};

describe('a gateway process at start-up', { timeout: 90_000 }, () => {
  it('loads neither the sandbox, the OTLP exporter, webhooks, the sync nor Redis when its config leaves them off, and keeps its young generation small', async () => {
    const { loaded, heapSpaces } = await startRecorded(ONE_TENANT);
    const modules = loaded();
    expect(modules).toContain('/src/app.ts');
    expect(modules).not.toMatch(/\/src\/sandbox\//);
    expect(modules).not.toContain('/src/observability/otlp-tracer.ts');
    expect(modules).not.toContain('exporter-trace-otlp-http');
    expect(modules).not.toMatch(/\/src\/webhooks\//);
    expect(modules).not.toContain('/src/sync/scheduler.ts');
    // No Redis configured: no ioredis; and of undici only its dispatcher (src/http/undici-dispatcher.ts), not its index.
    expect(modules).not.toContain('/node_modules/ioredis/');
    expect(modules).not.toContain('/node_modules/undici/index.js');
    // A JSON config: no YAML parser; API keys only: no JWT library.
    expect(modules).not.toContain('/node_modules/yaml/');
    expect(modules).not.toContain('/node_modules/jose/');
    // Held at its initial size while starting (src/heap-growth.ts): 1 MB semi-spaces (2 MB), which what runs
    // once it serves may double once or twice; start-up's allocations alone would grow it to 32 MB (Node 20, 22).
    expect((await heapSpaces()).new_space).toBeLessThan(16 * MB);
  });

  it('loads what its config turns on: tracing with a collector, and the demo sandbox with its sync and webhooks', async () => {
    const traced = await startRecorded({
      ...ONE_TENANT,
      tracing: { otlpEndpoint: 'http://127.0.0.1:9/v1/traces' },
    });
    expect(traced.loaded()).toContain('/src/observability/otlp-tracer.ts');
    expect(traced.loaded()).not.toMatch(/\/src\/sandbox\//);
    child!.child.kill('SIGTERM');
    await once(child!.child, 'exit');
    rmSync(dir, { recursive: true, force: true });

    const demo = await startRecorded(null);
    const modules = demo.loaded();
    expect(modules).toContain('/src/sandbox/sandbox.ts');
    expect(modules).toContain('/src/webhooks/webhooks.ts');
    expect(modules).toContain('/src/sync/scheduler.ts');
    expect(modules).not.toContain('/src/observability/otlp-tracer.ts');
  });
});
