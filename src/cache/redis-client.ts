import { Cluster, Redis } from 'ioredis';

/**
 * A Redis (or Redis Cluster) client for background work (the connection
 * index, leases): no offline queue and no retried commands, so a Redis fault
 * fails the operation at once and the caller retries it on its own schedule;
 * reconnects in the background, backing off to once a second.
 */

export interface BackgroundRedisOptions {
  /** redis:// or rediss:// URL of a single node. */
  readonly url?: string | undefined;
  /** host:port of some Cluster nodes; takes precedence over `url`. */
  readonly clusterNodes?: readonly string[] | undefined;
  readonly commandTimeoutMs: number;
}

export type RedisClient = Redis | Cluster;

export function createBackgroundRedis(options: BackgroundRedisOptions): {
  client: RedisClient;
  /** Resolves once connected, or after a second at most. */
  ready: Promise<void>;
} {
  const { commandTimeoutMs } = options;
  const client: RedisClient = options.clusterNodes?.length
    ? new Cluster(
        options.clusterNodes.map((node) => ({
          host: node.slice(0, node.lastIndexOf(':')),
          port: Number(node.slice(node.lastIndexOf(':') + 1)),
        })),
        { enableOfflineQueue: false, redisOptions: { commandTimeout: commandTimeoutMs } },
      )
    : new Redis(options.url!, {
        enableOfflineQueue: false,
        commandTimeout: commandTimeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: (times: number) => Math.min(50 * times, 1000),
      });
  // Faults surface as rejected commands, which the callers count and log; the client's own events would repeat them.
  client.on('error', () => {});
  const ready = new Promise<void>((resolve) => {
    client.once('ready', () => resolve());
    setTimeout(resolve, Math.max(1000, commandTimeoutMs)).unref();
  });
  return { client, ready };
}

/** The prefix of every key of a tenant's connection index and leases: the tenant is the Cluster hash tag. */
export const tenantKeyPrefix = (tenantId: string) => `junction:{${tenantId}}:`;
