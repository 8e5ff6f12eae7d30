import { createHash } from 'node:crypto';
import type { Config } from './config/config.js';
import type { CacheStore } from './cache/cache-store.js';
import { createMemoryCache } from './cache/memory-cache.js';
import { createRedisCache } from './cache/redis-cache.js';
import { fanOutCacheObserver, type CacheObserver } from './cache/cache-events.js';
import { createNoCache } from './cache/no-cache.js';
import { createIdempotency } from './domain/idempotency.js';
import { createAuditTrail, type AuditEvent, type AuditHooks, type AuditTrail } from './domain/audit.js';
import { createMemoryAuditStore, createRedisAuditStore } from './cache/audit-store.js';
import { createIdempotencyStore } from './cache/idempotency-store.js';
import { createUpstreamHttp } from './http/upstream-http.js';
import { createReadThrough } from './loaders/upstream-transport.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createReadinessProbe } from './observability/readiness.js';
import { watchUnknownValues } from './observability/unknown-values.js';
import { createApolloServer, createGatewaySchema, loadTypeDefs } from './server/apollo.js';
import { createContextFactory } from './server/context.js';
import { createCorsPolicy } from './server/cors.js';
import { createIdeRoutes, ideEnabled } from './server/ide/ide-routes.js';
import { startHttpServer } from './server/http-server.js';
import { auditOperationPlugin } from './server/audit-route.js';
import { createPersistedOperations } from './server/persisted-operations.js';
import { createResponseCache } from './server/response-cache.js';
import { rateLimitPlugin } from './server/rate-limit-plugin.js';
import { createRateLimiter, createRateLimitRedis } from './server/rate-limits.js';
import { operationObserverPlugin } from './server/operation-observer-plugin.js';
import { scopeCheckPlugin } from './server/scope-check.js';
import type { ConnectionIndexStore } from './domain/connection-index.js';
import { createConnectionIndex } from './sync/connection-index.js';
import type { SyncRoundReport } from './sync/scheduler.js';
import { createSubscriptionTransports } from './server/subscription-transports.js';

/** The composition root: wires config → cache, HTTP, loaders, Apollo and the HTTP server. */

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  /**
   * Graceful: unready on /readyz but still serving for `drainDelayMs`, then stop accepting, finish in-flight
   * requests (up to graceMs), close the cache and upstream pools. Both default to the configured values.
   */
  close(graceMs?: number, drainDelayMs?: number): Promise<void>;
  /** Ends a drain `close` is in at once (a second SIGTERM/SIGINT): the listener closes now. */
  endDrain(): void;
  /** The tenants' connection index and event log (src/sync/connection-index.ts). */
  readonly connectionIndex: ConnectionIndexStore;
  /** Attempts every unit's sync now, or only the due ones (tests, with `backgroundSync: 'manual'`); {} when sync is off. */
  syncNow(options?: { readonly due?: boolean }): Promise<SyncRoundReport>;
  /** A webhook dispatch pass for every tenant, resolved once its attempts ended (tests); nothing when webhooks are off. */
  dispatchWebhooks(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** Overrides the cache the config would build (tests share one between instances). */
  readonly cache?: CacheStore;
  /** Receives cache faults, recoveries, hits/misses and invalidations (the metrics module's counters). */
  readonly cacheObserver?: CacheObserver;
  /** The clock (milliseconds) breakers and the in-memory cache go by; tests pass one they move. @default Date.now */
  readonly now?: () => number;
  /** 'manual': the configured sync runs only through `syncNow()` (tests), never on its timer. @default 'timers' */
  readonly backgroundSync?: 'timers' | 'manual';
  /** 'manual': webhooks go out only through `dispatchWebhooks()` (tests). */
  readonly webhookDispatch?: 'timers' | 'manual';
  /** Fixes the webhook retries' jitter (tests). @default Math.random */
  readonly webhookJitter?: () => number;
}

export async function startGateway(config: Config, options: StartOptions = {}): Promise<RunningGateway> {
  // Loaded only when configured: a gateway without them never holds their code, nor their libraries'.
  const [otlp, webhookModule, syncModule] = await Promise.all([
    config.tracing.otlpEndpoint ? import('./observability/otlp-tracer.js') : undefined,
    config.webhooks.enabled ? import('./webhooks/webhooks.js') : undefined,
    config.sync.enabled ? import('./sync/scheduler.js') : undefined,
  ]);
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const stopWatchingUnknownValues = watchUnknownValues(logger, metrics.unknownVendorValue);
  const readiness = createReadinessProbe({
    redisConfigured: Boolean(config.cache.redisUrl || config.cache.redisClusterNodes?.length),
    cache: () => cache,
    forward: fanOutCacheObserver(metrics.cache, options.cacheObserver),
    onDegradation: metrics.degradation,
  });
  const cache = options.cache ?? createCache(config, logger, readiness.cacheObserver, options.now);
  const tracer = otlp?.createGatewayTracer(config.tracing);
  if (tracer)
    logger.info({ collector: new URL(config.tracing.otlpEndpoint!).host }, 'tracing: spans exported over OTLP/HTTP');
  const { redisUrl, redisClusterNodes, commandTimeoutMs, faultLogIntervalMs } = config.cache;
  const rateLimitsOn = config.rateLimits.enabled ?? config.production;
  const rateLimitStore =
    rateLimitsOn && (redisUrl || redisClusterNodes?.length)
      ? createRateLimitRedis(
          redisClusterNodes?.length ? { clusterNodes: redisClusterNodes } : { url: redisUrl! },
          commandTimeoutMs,
        )
      : undefined;
  const rateLimiter = rateLimitsOn
    ? createRateLimiter({
        tenants: config.tenants,
        policies: config.rateLimits.policies,
        redis: rateLimitStore?.client,
        logger: logger.child({ component: 'rate-limits' }),
        faultLogIntervalMs,
        onStoreFailure: metrics.rateLimitStoreFailure,
        onRefused: ({ policy, tenantId }) => metrics.rateLimited(policy, tenantId),
      })
    : undefined;
  const http = createUpstreamHttp(
    { ...config.upstream, ...(rateLimiter && { spendCall: rateLimiter.spendVendorCall }) },
    metrics.upstream,
    options.now,
  );
  const readCache = config.cache.enabled ? cache : createNoCache();
  const reads = createReadThrough({
    cache: readCache,
    http,
    logger,
    ttlSeconds: config.cache.ttlSeconds,
    observer: readiness.cacheObserver,
  });
  const typeDefs = loadTypeDefs();
  const audit = await createAudit(config, logger, {
    onLost: metrics.auditWriteLost,
    ...(options.now && { now: options.now }),
  });
  const index = await createConnectionIndex(config, options.now);
  // Bounded, like the audit store's: a key's first requests would otherwise be counted in memory, apart from Redis.
  await rateLimitStore?.ready;
  const webhookDeps = { ...options, onAttempt: metrics.webhookAttempt };
  const webhooks = await webhookModule?.createWebhooks(config, index, logger, webhookDeps);
  const context = createContextFactory({
    tenants: config.tenants,
    logger,
    idempotency: createIdempotency(createIdempotencyStore(cache), config.idempotency),
    reads,
    requestDeadlineMs: config.upstream.requestDeadlineMs,
    audit,
    connectionIndex: index.store,
    now: options.now,
    webhooks: webhooks?.admin,
  });
  const persisted = createPersistedOperations(config.persistedOperations, cache);
  if (persisted.gate) logger.info({ operations: persisted.safelisted }, 'safelist mode: only manifest operations run');
  const schema = createGatewaySchema(typeDefs);
  const apollo = createApolloServer({
    logger,
    typeDefs,
    schema,
    persistedQueries: persisted.apollo,
    introspection: config.introspection ?? !config.production,
    limits: config.limits,
    // Scopes per root field (scope-check.ts): introspection needs `introspect` in production only (the sandbox demo's IDE).
    plugins: [
      operationObserverPlugin(metrics),
      scopeCheckPlugin({ introspectionNeedsScope: config.production }),
      ...(rateLimiter ? [rateLimitPlugin(rateLimiter)] : []),
      auditOperationPlugin(),
    ],
  });
  await apollo.start();
  const cors = createCorsPolicy(config.cors, config.tenants);
  const subscriptions = createSubscriptionTransports(config, {
    schema,
    context,
    logger,
    cors,
    rateLimiter,
    audit,
    store: index.store,
    onEvents: index.onEvents,
    observer: metrics.subscriptions,
    operationGate: persisted.gate,
  });
  const server = await startHttpServer(
    {
      apollo,
      context,
      logger,
      operationGate: persisted.gate,
      cors,
      responseCache:
        config.cache.enabled && config.cache.responses
          ? createResponseCache({
              cache,
              generations: reads.generations,
              logger,
              onCorruptRecord: () => metrics.responseCache({ result: 'corrupt', operationName: null }),
              // What else decides an answer: the schema, and the rules an operation must pass to run at all.
              deployment: createHash('sha256')
                .update(typeDefs)
                .update(
                  JSON.stringify([
                    config.limits,
                    config.introspection ?? !config.production,
                    config.persistedOperations,
                  ]),
                )
                .digest('base64url'),
            })
          : undefined,
      onResponseCache: (event) => metrics.responseCache(event),
      maxBodyBytes: config.limits.maxBodyBytes,
      rateLimiter,
      audit,
      maxBatchOperations: config.limits.batching ? config.limits.maxBatchOperations : undefined,
      metrics,
      readiness: () => readiness.check(),
      tracer,
      ide: ideEnabled(config) ? createIdeRoutes({ logger }) : undefined,
      eventStream: subscriptions.eventStream,
    },
    config.port,
    config.host,
  );
  const sync = syncModule?.startConnectionSync(config, {
    ...{ reads, store: index.store, leases: index.leases, logger, observer: metrics.sync, now: options.now },
    manual: options.backgroundSync === 'manual',
  });
  subscriptions.attach(server.server);
  if (options.webhookDispatch !== 'manual') webhooks?.start();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${server.port}/graphql`;
  let endDrain = () => {};
  return {
    url,
    port: server.port,
    logger,
    endDrain: () => endDrain(),
    connectionIndex: index.store,
    syncNow: async (syncOptions) => (sync ? sync.syncNow(syncOptions) : {}),
    dispatchWebhooks: async () => webhooks?.dispatchNow(),
    async close(graceMs = config.shutdownGraceMs, drainDelayMs = config.shutdownDrainDelayMs) {
      readiness.drain();
      if (drainDelayMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainDelayMs);
          endDrain = () => (clearTimeout(timer), resolve());
        });
      }
      // Subscriptions complete first (their clients resume with `after` at another instance): streams hold no drain.
      await subscriptions.close();
      await Promise.all([server.close(graceMs), sync?.stop(), webhooks?.close()]);
      await apollo.stop();
      stopWatchingUnknownValues();
      rateLimitStore?.client.disconnect();
      await Promise.all([cache.close(), http.close(), tracer?.shutdown(), audit.close(), index.close()]);
    },
  };
}

/** Private: Redis (a Cluster when nodes are listed) when configured, the in-memory LRU otherwise. */
function createCache(
  config: Config,
  logger: Logger,
  observer: CacheObserver | undefined,
  now: (() => number) | undefined,
): CacheStore {
  const { redisUrl, redisClusterNodes, commandTimeoutMs, faultLogIntervalMs } = config.cache;
  if (!redisUrl && !redisClusterNodes?.length)
    return createMemoryCache({ maxEntries: config.cache.memoryMaxEntries, ...(now && { now }) });
  return createRedisCache({
    ...(redisClusterNodes?.length ? { clusterNodes: redisClusterNodes } : { url: redisUrl! }),
    commandTimeoutMs,
    faultLogIntervalMs,
    nearCacheMaxBytes: config.cache.nearCacheMegabytes * 1024 * 1024,
    logger: logger.child({ component: 'cache' }),
    ...(observer && { observer }),
  });
}

/** Private: the audit trail on a Redis Stream per tenant when Redis is configured, bounded memory otherwise. */
async function createAudit(config: Config, logger: Logger, hooks: AuditHooks): Promise<AuditTrail> {
  const { redisUrl, redisClusterNodes } = config.cache;
  const { maxEntries, maxAgeSeconds, commandTimeoutMs, maxPending } = config.audit;
  const retention = { maxEntries, maxAgeSeconds };
  const useRedis = Boolean(redisUrl || redisClusterNodes?.length);
  const redis = useRedis
    ? createRedisAuditStore<AuditEvent>({
        url: redisUrl,
        clusterNodes: redisClusterNodes,
        commandTimeoutMs,
        retention,
      })
    : undefined;
  // Bounded: the first entries of a fresh instance should not be lost to a connection still being made.
  await redis?.ready();
  const operators = config.audit.operatorTenants ?? (config.tenants.length === 1 ? [config.tenants[0]!.id] : []);
  return createAuditTrail({
    store: redis ?? createMemoryAuditStore<AuditEvent>(retention, hooks.now),
    logger: logger.child({ component: 'audit' }),
    maxPending,
    operatorTenants: new Set(operators),
    ...hooks,
  });
}
