import { createRequire } from 'node:module';
import type * as Ioredis from 'ioredis';
import type { Cluster, Redis } from 'ioredis';

// Loaded on first use: a gateway without Redis (the default) never holds ioredis and its command tables.
const loadIoredis = () => createRequire(import.meta.url)('ioredis') as typeof Ioredis;

/**
 * Every Redis (or Redis Cluster) connection Junction makes: the cache, the rate
 * limits, the audit trail, the connection index and its leases. No offline
 * queue and no retried commands, so a Redis fault fails the command at once and
 * the caller falls back or retries on its own schedule; a command timeout on
 * each node; reconnects in the background, backing off to once a second.
 */

export interface RedisClientOptions {
  /** redis:// or rediss:// URL of a single node. */
  readonly url?: string | undefined;
  /** host:port of some Cluster nodes; takes precedence over `url`. */
  readonly clusterNodes?: readonly string[] | undefined;
  readonly commandTimeoutMs: number;
  /** Longest a single node's connection attempt may take. @default ioredis' 10 s */
  readonly connectTimeoutMs?: number;
  /** A subscriber connection: it subscribes again itself after a reconnect (ioredis' autoResubscribe off). */
  readonly subscriber?: boolean;
}

export type RedisClient = Redis | Cluster;

export function createRedisClient(options: RedisClientOptions): {
  client: RedisClient;
  /** Resolves once connected, or after a second (the command timeout, if longer) at most. */
  ready: Promise<void>;
} {
  const { commandTimeoutMs } = options;
  const { Cluster, Redis } = loadIoredis();
  const client: RedisClient = options.clusterNodes?.length
    ? new Cluster(
        options.clusterNodes.map((node) => ({
          host: node.slice(0, node.lastIndexOf(':')),
          port: Number(node.slice(node.lastIndexOf(':') + 1)),
        })),
        {
          enableOfflineQueue: false,
          // Node connections: ioredis manages their queueing and reconnects itself (forcing no-retry
          // options onto them closes them for good on the first hiccup); the timeout bounds every command.
          redisOptions: { commandTimeout: commandTimeoutMs },
        },
      )
    : new Redis(options.url!, {
        enableOfflineQueue: false,
        commandTimeout: commandTimeoutMs,
        maxRetriesPerRequest: 0,
        ...(options.connectTimeoutMs !== undefined && { connectTimeout: options.connectTimeoutMs }),
        retryStrategy: (times: number) => Math.min(50 * times, 1000),
        ...(options.subscriber && { autoResubscribe: false }),
      });
  // Faults surface as rejected commands, which the callers count and log; the client's own events would repeat them.
  client.on('error', () => {});
  const ready = new Promise<void>((resolve) => {
    client.once('ready', () => resolve());
    setTimeout(resolve, Math.max(1000, commandTimeoutMs)).unref();
  });
  return { client, ready };
}

export const isCluster = (client: RedisClient): client is Cluster => client.isCluster;

/** The prefix of every key of a tenant's connection index and leases: the tenant is the Cluster hash tag. */
export const tenantKeyPrefix = (tenantId: string) => `junction:{${tenantId}}:`;
