import { z } from 'zod';
import { intFrom } from './numbers.js';

/**
 * The cache of upstream reads and whole responses (src/cache/): in memory, or
 * shared through Redis (one node or a cluster) when an address is given.
 */
export const cacheSchema = z
  .object({
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** host:port of Redis Cluster nodes; enables cluster mode. */
    redisClusterNodes: z.array(z.string().regex(/^[^:]+:\d+$/, 'must be host:port')).optional(),
    memoryMaxEntries: intFrom(1).default(10_000),
    /**
     * With one Redis node: megabytes of its values each instance keeps in process, so a repeated query costs
     * no Redis round trip (exact across instances: every change is announced; src/cache/near-cache.ts). 0: none.
     */
    nearCacheMegabytes: intFrom(0).default(32),
    /** Longest a Redis command may take before it counts as a miss (tens of ms: Redis trouble must not slow queries). */
    commandTimeoutMs: intFrom(1).default(50),
    /** Shortest time between two "Redis unavailable" log lines. */
    faultLogIntervalMs: intFrom(0).default(30_000),
    /** false: upstream reads skip the cache (per-request batching and single flight still apply). */
    enabled: z.boolean().default(true),
    /**
     * Whole query responses cached too (src/server/response-cache.ts): a repeated query is answered
     * without running GraphQL at all, as long as every vendor read it was built from is current.
     * Only with `enabled`.
     */
    responses: z.boolean().default(true),
    /** Seconds a cached upstream read lives, per resource kind. */
    ttlSeconds: z
      .object({
        organization: intFrom(1).default(60),
        connections: intFrom(1).default(30),
        providers: intFrom(1).default(300),
      })
      .strict()
      .default({ organization: 60, connections: 30, providers: 300 }),
  })
  .strict()
  .default({
    memoryMaxEntries: 10_000,
    nearCacheMegabytes: 32,
    commandTimeoutMs: 50,
    faultLogIntervalMs: 30_000,
    enabled: true,
    responses: true,
    ttlSeconds: { organization: 60, connections: 30, providers: 300 },
  });
