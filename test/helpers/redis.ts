import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

/**
 * Real Redis servers for the tests, on free loopback ports: a single node, and
 * a three-master Redis Cluster. The binaries come from scripts/ensure-system-packages.sh
 * (run by `npm test` and .ci/run). Nothing is persisted: a killed and
 * restarted node comes back empty, as a crashed cache would.
 */

const run = promisify(execFile);
const HOST = '127.0.0.1';

async function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A cluster node also listens on its port + 10000 (the cluster bus): both must be free, and under 65536. */
const CLUSTER_BUS_OFFSET = 10_000;
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + CLUSTER_BUS_OFFSET > 65_535) continue;
    if (
      await freePort(port + CLUSTER_BUS_OFFSET).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server that will not come up however long it is waited for. */
class StartFailed extends Error {}

/** Polls until `check` resolves true (at most `attempts` × 50 ms); a StartFailed it throws ends the wait. */
async function until(what: string, check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const done = await check().catch((error: unknown) => {
      if (error instanceof StartFailed) throw error;
      return false;
    });
    if (done) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One redis-server process on a fixed port; can be killed and started again on that port. */
class RedisProcess {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    // A test run that dies still takes its servers with it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    // A server that could not bind (a port taken since it was picked) exits at once: say so, do not wait it out.
    await until(`redis-server on ${this.port}`, async () => {
      if (child.exitCode !== null) throw new StartFailed(`redis-server on ${this.port} exited (${child.exitCode})`);
      return (await this.command('PING')) === 'PONG';
    });
  }

  /** SIGKILL: the server dies without a goodbye, like a crashed node. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP / SIGCONT: the server keeps its connections but stops answering (a hung node). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** One command through a short-lived connection (admin only: INFO, CONFIG RESETSTAT, CLUSTER INFO). */
  async command(...args: (string | number)[]): Promise<unknown> {
    const client = new Redis({ host: HOST, port: this.port, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      return await client.call(String(args[0]), ...args.slice(1).map(String));
    } finally {
      client.disconnect();
    }
  }

  /** How many times each command ran since the last resetStats, from INFO commandstats (counted by Redis itself). */
  async commandCalls(): Promise<Record<string, number>> {
    const info = String(await this.command('INFO', 'commandstats'));
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
    return calls;
  }
}

export interface RedisCommandCounter {
  /** Zeroes the servers' command statistics. */
  resetStats(): Promise<void>;
  /** Calls per command (lower case: `mget`, `set`, `get`…) since resetStats, summed over all nodes. */
  commandCalls(): Promise<Record<string, number>>;
}

export interface RunningRedis extends RedisCommandCounter {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

async function sumCalls(nodes: readonly RedisProcess[]): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  for (const calls of await Promise.all(nodes.map((n) => n.commandCalls())))
    for (const [name, count] of Object.entries(calls)) total[name] = (total[name] ?? 0) + count;
  return total;
}

/** Starts anew on other ports when a server could not bind the ones picked (another process took one since). */
async function onFreshPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof StartFailed) || attempt >= attempts) throw error;
    }
  }
}

export const startRedis = (): Promise<RunningRedis> => onFreshPorts(startRedisOnce);

async function startRedisOnce(): Promise<RunningRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-redis-'));
  const node = new RedisProcess(await freePort(), dir, []);
  try {
    await node.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://${HOST}:${node.port}`,
    port: node.port,
    kill: () => node.kill(),
    restart: () => node.start(),
    pause: () => node.pause(),
    resume: () => node.resume(),
    resetStats: async () => void (await node.command('CONFIG', 'RESETSTAT')),
    commandCalls: () => sumCalls([node]),
    async close() {
      node.resume();
      await node.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningRedisCluster extends RedisCommandCounter {
  /** host:port of every master, for `cache.redisClusterNodes`. */
  readonly nodes: readonly string[];
  /** The hash slot of a key (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /** The host:port of the master serving a key's slot. */
  masterOf(key: string): Promise<string>;
  /** Kills one master (SIGKILL); the cluster loses its slots until it is restarted. */
  kill(node: string): Promise<void>;
  /** Starts a killed master again with its cluster config: it rejoins with its slots, empty. */
  restart(node: string): Promise<void>;
  /** Every key on every master. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/** Three masters, no replicas, every slot covered; `redis-cli --cluster create` assigns the slots. */
export const startRedisCluster = (): Promise<RunningRedisCluster> => onFreshPorts(startRedisClusterOnce);

async function startRedisClusterOnce(): Promise<RunningRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-redis-cluster-'));
  const ports = [await freeClusterPort(), await freeClusterPort(), await freeClusterPort()];
  const processes = new Map(
    ports.map((port) => [
      `${HOST}:${port}`,
      new RedisProcess(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        // Without replicas a dead master leaves its slots uncovered; the other masters keep serving theirs.
        '--cluster-require-full-coverage',
        'no',
      ]),
    ]),
  );
  const all = [...processes.values()];
  const clusterOk = async () =>
    (
      await Promise.all(all.map(async (n) => /cluster_state:ok/.test(String(await n.command('CLUSTER', 'INFO')))))
    ).every(Boolean);
  try {
    await Promise.all(all.map((n) => n.start()));
    await run('redis-cli', ['--cluster', 'create', ...processes.keys(), '--cluster-replicas', '0', '--cluster-yes']);
    await until('the Redis Cluster to be ready', clusterOk);
  } catch (error) {
    await Promise.all(all.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const processOf = (node: string) => {
    const found = processes.get(node);
    if (!found) throw new Error(`no cluster node ${node}`);
    return found;
  };

  return {
    nodes: [...processes.keys()],
    slotOf: async (key) => Number(await all[0]!.command('CLUSTER', 'KEYSLOT', key)),
    async masterOf(key) {
      const slot = Number(await all[0]!.command('CLUSTER', 'KEYSLOT', key));
      const ranges = (await all[0]!.command('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} is not served`);
      return `${HOST}:${range[2][1]}`;
    },
    kill: (node) => processOf(node).kill(),
    async restart(node) {
      await processOf(node).start();
      await until('the Redis Cluster to be ready again', clusterOk);
    },
    async keys() {
      // Test-only, on a keyspace of a few dozen keys (Junction itself only ever SCANs).
      const lists = await Promise.all(all.map((n) => n.command('KEYS', '*') as Promise<string[]>));
      return lists.flat();
    },
    resetStats: async () => void (await Promise.all(all.map((n) => n.command('CONFIG', 'RESETSTAT')))),
    commandCalls: () => sumCalls(all),
    async close() {
      await Promise.all(all.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
