import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/config.js';
import type { AuditTrail } from '../domain/audit.js';
import { createConnectionEventFeed } from '../domain/connection-event-feed.js';
import type { ConnectionIndexStore } from '../domain/connection-index.js';
import type { Logger } from '../observability/logger.js';
import type { SubscriptionObserver } from '../observability/metrics.js';
import type { ContextFactory } from './context.js';
import type { CorsPolicy } from './cors.js';
import { createEventStreamRoute, type EventStreamRoute } from './event-stream-route.js';
import { createFormatError } from './format-error.js';
import type { OperationGate } from './persisted-operations.js';
import type { RateLimiter } from './rate-limits.js';
import type { SubscriptionDeps } from './subscriptions.js';
import { attachWebSocketRoute, type WebSocketRoute } from './websocket-route.js';

/** Subscription.connectionEvents over SSE (/graphql/stream) and WebSocket (/graphql), from the index's event log. */
export interface SubscriptionTransports {
  readonly eventStream: EventStreamRoute;
  /** Accepts WebSocket upgrades on the gateway's HTTP server. */
  attach(server: Server): void;
  /** Completes every open subscription (clients resume with `after` elsewhere), closes the sockets. */
  close(): Promise<void>;
}

export function createSubscriptionTransports(
  config: Config,
  deps: {
    readonly schema: GraphQLSchema;
    readonly context: ContextFactory;
    readonly logger: Logger;
    readonly cors: CorsPolicy;
    readonly rateLimiter: RateLimiter | undefined;
    readonly audit: AuditTrail;
    /** The connection index, whose event log the subscriptions read. */
    readonly store: ConnectionIndexStore;
    /** Tells of this instance's own commits of events, so their subscribers need not wait for the next poll. */
    readonly onEvents?: (listener: (tenantId: string) => void) => () => void;
    readonly observer?: SubscriptionObserver;
    readonly operationGate?: OperationGate | undefined;
  },
): SubscriptionTransports {
  const { pollIntervalMs, batchSize, maxPerTenant, maxQueuedPerSubscriber, keepAliveMs } = config.subscriptions;
  const log = deps.logger.child({ component: 'subscriptions' });
  const feed = createConnectionEventFeed({
    store: deps.store,
    pollIntervalMs,
    batchSize,
    maxSubscriptionsPerTenant: maxPerTenant,
    maxQueuedPerSubscriber,
    onPollFailure: (tenant, err) => log.warn({ tenant, err }, 'event log poll failed; retried next interval'),
  });
  const stopWaking = deps.onEvents?.((tenantId) => feed.wake(tenantId));
  const shared: SubscriptionDeps = {
    ...deps,
    feed,
    limits: config.limits,
    introspectionNeedsScope: config.production,
    formatError: createFormatError(deps.logger, config.limits),
  };
  const maxBodyBytes = config.limits.maxBodyBytes;
  let websocket: WebSocketRoute | undefined;
  return {
    eventStream: createEventStreamRoute({ ...shared, maxBodyBytes }),
    attach(server) {
      websocket = attachWebSocketRoute(server, { ...shared, maxBodyBytes, keepAliveMs });
    },
    async close() {
      stopWaking?.();
      feed.close();
      await websocket?.close();
    },
  };
}
