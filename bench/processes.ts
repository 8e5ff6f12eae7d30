import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** The processes `npm run bench` starts: each its own OS process, stopped together at the end. */

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resident set size in bytes, from /proc (Linux); null elsewhere or once exited. */
  rss(): number | null;
  /** CPU time (user + system) used so far, in seconds, from /proc (Linux); null elsewhere. */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<BenchProcess>();
/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Resolves the start once the process printed a line this accepts (stdout), or the promise resolves. */
  readonly ready: { readonly line: (line: string) => boolean } | { readonly probe: () => Promise<boolean> };
  readonly timeoutMs?: number;
  /** Where stdout goes when no ready line is awaited on it (discarded otherwise). */
  readonly stdoutFile?: string;
}

/** Starts a process and waits until it is ready; returns its first matching stdout line, if any. */
export async function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<{ process: BenchProcess; line: string | null }> {
  // The child holds its own copy of the log file's descriptor; ours is closed once it is spawned.
  const stdoutFd = 'line' in options.ready || !options.stdoutFile ? undefined : openSync(options.stdoutFile, 'w');
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'line' in options.ready ? 'pipe' : (stdoutFd ?? 'ignore'), 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: BenchProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    rss() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = /VmRSS:\s+(\d+) kB/.exec(status);
        return kb ? Number(kb[1]) * 1024 : null;
      } catch {
        return null;
      }
    },
    cpuSeconds() {
      try {
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
      } catch {
        return null;
      }
    },
    async stop(graceMs = 10_000) {
      running.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);

  // Generous: a shared, busy machine starts a seeded sandbox slowly.
  const timeoutMs = options.timeoutMs ?? 120_000;
  const failed = (why: string) =>
    new Error(`${name} did not start: ${why}${stderr ? `\n--- ${name} stderr ---\n${stderr}` : ''}`);
  const ready = options.ready;
  const readyLine =
    'line' in ready
      ? new Promise<string>((resolve) => {
          const lines = createInterface({ input: child.stdout! });
          lines.on('line', (line) => {
            if (ready.line(line)) {
              lines.close();
              child.stdout!.resume(); // keep draining: a full pipe would block the process
              resolve(line);
            }
          });
        })
      : (async () => {
          while (!(await ready.probe())) await new Promise((r) => setTimeout(r, 50));
          return null;
        })();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyLine.then((line) => ({ line })),
    exited.then((code) => ({ error: failed(`exited with code ${code}`) })),
    new Promise<{ error: Error }>((resolve) => {
      timer = setTimeout(() => resolve({ error: failed(`not ready after ${timeoutMs} ms`) }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if ('error' in outcome) {
    await handle.stop(1_000);
    throw outcome.error;
  }
  return { process: handle, line: outcome.line };
}

/** Stops every process still running (in reverse start order). */
export async function stopAll(): Promise<void> {
  for (const handle of [...running].reverse()) await handle.stop();
}

/** A free loopback port (the OS picks it; a tiny race with other programs is acceptable for a benchmark). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
