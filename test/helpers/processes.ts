import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Child processes of the repository's own entry points (run from source through tsx), as a user starts them. */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects when the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process ended and its output was read to the end. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs `<entry>` (a path from the repository root) with `args`, env stripped of Junction settings the caller did not give. */
export function startSource(entry: string, args: string[], env: Record<string, string> = {}): Child {
  const {
    JUNCTION_CONFIG: _c,
    JUNCTION_DEMO_KEY: _k,
    JUNCTION_SANDBOX_BASE_PORT: _b,
    NODE_ENV: _n,
    ...inherited
  } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`../../${entry}`, import.meta.url)), ...args],
    {
      cwd: ROOT,
      env: { ...inherited, ...env },
    },
  );
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (!match) return;
          child.stdout.off('data', check);
          resolve(match);
        };
        child.stdout.on('data', check);
        child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before ${pattern}: ${err}`)));
        check();
      }),
    exited: () => closed,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const listenable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port whose next `count` ports are free too (checked, then released: another process may still take one). */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => listenable(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
