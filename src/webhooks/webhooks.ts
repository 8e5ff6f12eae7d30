import { createRedisWebhookStore } from '../cache/redis-webhook-store.js';
import { createMemoryWebhookStore } from '../cache/webhook-store.js';
import type { Config } from '../config/config.js';
import type { ConnectionIndexStore, LeaseStore } from '../domain/connection-index.js';
import type { WebhookStore } from '../domain/webhook-deliveries.js';
import type { WebhookAdmin } from '../domain/webhooks.js';
import type { Logger } from '../observability/logger.js';
import { createWebhookAdmin } from './admin.js';
import { createDispatcher } from './dispatcher.js';
import { createEndpointDirectory } from './endpoints.js';
import { createSender } from './sender.js';
import { createTargetPolicy } from './target-policy.js';

/**
 * Webhooks for one gateway instance: the store (Redis or Redis Cluster when
 * the cache is, so every instance shares endpoints, cursors and claims;
 * memory otherwise), the SSRF policy, the dispatcher and the admin operations.
 */

export interface Webhooks {
  readonly admin: WebhookAdmin;
  start(): void;
  /** A pass for every tenant, resolved once its attempts ended (tests, with a clock they move). */
  dispatchNow(): Promise<void>;
  close(): Promise<void>;
}

export async function createWebhooks(
  config: Config,
  index: {
    readonly store: ConnectionIndexStore;
    readonly leases: LeaseStore;
    /** This instance's commits that appended events: each wakes the tenant's dispatch at once instead of at the next poll. */
    onEvents(listener: (tenantId: string) => void): () => void;
  },
  parentLogger: Logger,
  options: {
    readonly now?: (() => number) | undefined;
    /** The jitter's randomness (tests fix it). @default Math.random */
    readonly webhookJitter?: (() => number) | undefined;
    /** Told of each attempt (the metrics). */
    readonly onAttempt?: ((state: string, error: string | null) => void) | undefined;
  },
): Promise<Webhooks> {
  const settings = config.webhooks;
  const now = options.now ?? Date.now;
  const deps = { index: index.store, leases: index.leases, random: options.webhookJitter };
  const logger = parentLogger.child({ component: 'webhooks' });
  const { redisUrl, redisClusterNodes } = config.cache;
  const retention = { maxAgeSeconds: settings.deliveryRetentionSeconds, maxEntries: settings.maxDeliveriesPerTenant };
  let store: WebhookStore;
  if (redisUrl || redisClusterNodes?.length) {
    const redis = createRedisWebhookStore({
      url: redisUrl,
      clusterNodes: redisClusterNodes,
      commandTimeoutMs: config.sync.commandTimeoutMs,
      retention,
    });
    await redis.ready();
    store = redis;
  } else store = createMemoryWebhookStore(retention);
  const policy = createTargetPolicy(settings);
  const endpoints = await createEndpointDirectory({
    tenants: config.tenants,
    store,
    policy,
    logger,
    startedAt: new Date(now()).toISOString(),
  });
  const dispatcher = createDispatcher({
    ...{ tenantIds: config.tenants.map((t) => t.id), index: deps.index, store, endpoints, leases: deps.leases, logger },
    sender: createSender({ policy, ...settings }),
    ...{ retry: settings.retry, pollIntervalMs: settings.pollIntervalMs, batchSize: settings.batchSize },
    ...{ concurrency: settings.concurrency, timeoutMs: settings.timeoutMs, now, random: deps.random },
    onAttempt: options.onAttempt,
  });
  let started = false;
  // Until start() (never, in tests driving dispatchNow), commits do not wake the dispatcher either.
  const wake = (tenantId: string) => void (started && dispatcher.wake(tenantId));
  const stopWaking = index.onEvents(wake);
  return {
    admin: createWebhookAdmin({ store, index: deps.index, endpoints, policy, wake, now, ...settings }),
    start() {
      started = true;
      dispatcher.start();
    },
    async dispatchNow() {
      await Promise.all(config.tenants.map((t) => dispatcher.wake(t.id)));
    },
    async close() {
      stopWaking();
      await dispatcher.close();
      await store.close();
    },
  };
}
