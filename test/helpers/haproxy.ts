import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A real HAProxy (Debian's `haproxy`, installed by scripts/ensure-system-packages.sh)
 * started from a configuration file with its settings in the environment, and
 * read back through its CSV stats page: server states, request counts,
 * retries and redispatches as HAProxy itself counts them.
 */

const HOST = '127.0.0.1';

/** Debian installs it in /usr/sbin, which a non-root PATH may not list. */
export function haproxyBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/sbin')) {
    if (dir && existsSync(`${dir}/haproxy`)) return `${dir}/haproxy`;
  }
  throw new Error('haproxy is not installed: run `bash scripts/ensure-system-packages.sh`');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One row of HAProxy's stats CSV (a frontend, a backend, or a server), by column name. */
export type StatsRow = Readonly<Record<string, string>>;

export interface RunningHaproxy {
  /** Where clients connect. */
  readonly url: string;
  /** Every row of the stats page. */
  stats(): Promise<StatsRow[]>;
  /** The row of one server of a backend. */
  server(backend: string, name: string): Promise<StatsRow>;
  close(): Promise<void>;
}

export async function startHaproxy(options: {
  readonly configFile: string;
  /** Variables the configuration reads; the bind addresses are added here. */
  readonly env: Readonly<Record<string, string>>;
}): Promise<RunningHaproxy> {
  const [port, statsPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(haproxyBinary(), ['-db', '-f', options.configFile], {
    env: {
      PATH: process.env.PATH ?? '',
      ...options.env,
      JUNCTION_LB_BIND: `${HOST}:${port}`,
      JUNCTION_LB_STATS_BIND: `${HOST}:${statsPort}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.removeListener('exit', killOnExit));

  const statsUrl = `http://${HOST}:${statsPort}/stats;csv`;
  const stats = async (): Promise<StatsRow[]> => {
    const text = await (await fetch(statsUrl)).text();
    const [header, ...lines] = text.trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i], value])));
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${stderr}`);
    if (
      await stats().then(
        () => true,
        () => false,
      )
    )
      break;
    if (attempt > 200) throw new Error(`haproxy did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  return {
    url: `http://${HOST}:${port}`,
    stats,
    async server(backend, name) {
      const row = (await stats()).find((r) => r.pxname === backend && r.svname === name);
      if (!row) throw new Error(`no server ${backend}/${name} in haproxy's stats`);
      return row;
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
