import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheObserver } from '../cache/cache-events.js';
import type { BreakerState, UpstreamObserver } from '../http/upstream-observer.js';
import type { OperationOutcome } from '../request/request-state.js';
import type { DegradationListener } from './readiness.js';

/**
 * Prometheus metrics (prom-client), served at /metrics. One registry per
 * gateway instance, so several gateways in one process (tests) never share or
 * collide. Label values are bounded: vendors and tenants come from
 * configuration, statuses from a short list, and operation names (chosen by
 * clients) are checked and capped.
 */

/** A query answer the response cache served (hit) or was offered (stored or not). */
export interface ResponseCacheEvent {
  /**
   * shared: the answer of an identical request that was running (response-cache.ts answerOrShare); corrupt: a
   * stored answer that did not parse, answered as a miss and overwritten.
   */
  readonly result: 'hit' | 'shared' | 'stored' | 'miss' | 'corrupt';
  readonly operationName: string | null;
  /** For hits: from reading the body to sending the answer. */
  readonly seconds?: number;
}

export interface GatewayMetrics {
  readonly contentType: string;
  readonly upstream: UpstreamObserver;
  readonly cache: CacheObserver;
  /** One GraphQL operation finished. `name` is the client's operation name, if any. */
  operation(name: string | undefined, type: string, outcome: OperationOutcome, seconds: number): void;
  /** A query answer the response cache served (hit; counted as an operation too) or was offered (stored / miss). */
  responseCache(event: ResponseCacheEvent): void;
  /** A dependency started or stopped failing while the instance keeps serving (readiness.ts). */
  readonly degradation: DegradationListener;
  /** An HTTP response was sent (or the client went away), by route and status: 401/403/413/429 show here. */
  httpResponse(route: string, status: number): void;
  /** An automatic persisted query's hash was not registered (the client sends the query next): not an error. */
  persistedQueryMiss(): void;
  /** A distinct enum value a vendor sent that its contract does not list (counted once per value). */
  unknownVendorValue(vendor: string, field: string): void;
  /** A request, an operation's cost or a vendor call refused by a rate limit (policy names are fixed). */
  rateLimited(policy: string, tenant: string): void;
  /** The rate limits' Redis failed a spend; the instance counted it in memory instead. */
  rateLimitStoreFailure(): void;
  /** The connection index's background sync (src/sync/scheduler.ts's observer). */
  readonly sync: {
    /** One attempt at one unit, by outcome (failed: the vendor or the index failed; the entry is kept). */
    run(vendor: string, outcome: string): void;
    /** An HTTP attempt the sync made to a vendor. */
    vendorCall(vendor: string): void;
    /** Change events the sync appended to the index's log. */
    eventsAppended(vendor: string, count: number): void;
  };
  readonly subscriptions: SubscriptionObserver;
  /** One webhook delivery attempt: the state it left the delivery in, and why it failed (`none` when it did not). */
  webhookAttempt(state: string, error: string | null): void;
  /** An audit entry the store lost (write failed, or dropped with too many in flight); the log line still has it. */
  auditWriteLost(reason: 'failed' | 'dropped'): void;
  /** The exposition text. */
  render(): Promise<string>;
}

/** Subscription operations over SSE (`sse`) and WebSocket (`websocket`): open, and the messages they were sent. */
export interface SubscriptionObserver {
  opened(transport: 'sse' | 'websocket'): void;
  closed(transport: 'sse' | 'websocket'): void;
  /** One `next` message sent (an event, or the error that ends a subscription). */
  delivered(transport: 'sse' | 'websocket'): void;
}

/** Distinct operation names kept as labels; later ones are counted as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Routes kept as labels; any other path (a scanner's guesses) is counted as "other". */
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);
const routeLabel = (route: string): string =>
  ROUTES.has(route) ? route : route.startsWith('/ide/') ? '/ide' : 'other';
const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const operations = new Counter({
    name: 'junction_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok: no errors; partial: data with errors; error: no data).',
    labelNames: ['operation', 'type', 'outcome'],
    registers: [registry],
  });
  const operationSeconds = new Histogram({
    name: 'junction_graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its response, by type and outcome.',
    labelNames: ['type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'junction_upstream_request_duration_seconds',
    help: 'One attempt of a vendor call, by vendor, HTTP method and status (the HTTP status, or timeout / unreachable / refused).',
    labelNames: ['vendor', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'junction_upstream_retries_total',
    help: 'Vendor calls attempted again, by vendor and the outcome that caused the retry.',
    labelNames: ['vendor', 'reason'],
    registers: [registry],
  });
  const breakerState = new Gauge({
    name: 'junction_upstream_breaker_state',
    help: 'Circuit breaker state per vendor and tenant: 0 closed, 1 half-open (trial call), 2 open (calls refused).',
    labelNames: ['vendor', 'tenant'],
    registers: [registry],
  });
  const breakerRejections = new Counter({
    name: 'junction_upstream_breaker_rejections_total',
    help: 'Vendor calls refused without being sent because the breaker of that vendor and tenant was open.',
    labelNames: ['vendor', 'tenant'],
    registers: [registry],
  });
  const bulkheadRejections = new Counter({
    name: 'junction_upstream_bulkhead_rejections_total',
    help: 'Vendor calls refused without being sent because that tenant already had its most calls to the vendor waiting.',
    labelNames: ['vendor', 'tenant'],
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: 'junction_cache_lookups_total',
    help: 'Cached-read lookups by vendor and result (hit: served from the cache; miss: sent to the vendor).',
    labelNames: ['vendor', 'result'],
    registers: [registry],
  });
  const responseCacheResults = new Counter({
    name: 'junction_response_cache_total',
    help: 'Whole query answers by response-cache result (hit: served without running GraphQL; stored: run, then cached; miss: run, not cacheable; corrupt: a stored answer that did not parse, run again and overwritten).',
    labelNames: ['result'],
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'junction_redis_errors_total',
    help: 'Redis commands that failed and ran as a cache miss or no-op instead, by operation and reason.',
    labelNames: ['operation', 'reason'],
    registers: [registry],
  });

  const degraded = new Gauge({
    name: 'junction_dependency_degraded',
    help: 'A dependency the instance serves without, at a cost, while it fails: 1 failing (e.g. Redis down: no caching), 0 healthy. /readyz stays 200.',
    labelNames: ['dependency'],
    registers: [registry],
  });
  const unknownValues = new Counter({
    name: 'junction_vendor_unknown_values_total',
    help: 'Distinct values vendors sent that their contracts do not list (a new provider, state or status), each counted once when first seen; kept, never fatal.',
    labelNames: ['vendor', 'field'],
    registers: [registry],
  });
  const rateLimitRefusals = new Counter({
    name: 'junction_rate_limit_refusals_total',
    help: 'Requests answered 429 RATE_LIMITED (and vendor calls refused before sending), by policy and tenant.',
    labelNames: ['policy', 'tenant'],
    registers: [registry],
  });
  const rateLimitStoreFailures = new Counter({
    name: 'junction_rate_limit_store_failures_total',
    help: 'Rate-limit spends Redis could not count (down, slow): counted in this instance only, never refused for it.',
    registers: [registry],
  });

  const httpResponses = new Counter({
    name: 'junction_http_responses_total',
    help: 'HTTP responses by route and status code, refusals included (401 unauthenticated, 403 forbidden, 413 too large, 429 rate limited).',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const persistedQueryMisses = new Counter({
    name: 'junction_persisted_query_misses_total',
    help: 'Automatic persisted queries sent by hash alone that were not registered (the client then sends the query); not counted as operations.',
    registers: [registry],
  });

  const syncRuns = new Counter({
    name: 'junction_sync_runs_total',
    help: 'Connection index sync attempts per unit, by vendor and outcome (baseline, committed, fresh: synced this interval already, held: another instance has it, stale, conflict, failed).',
    labelNames: ['vendor', 'outcome'],
    registers: [registry],
  });
  const syncVendorCalls = new Counter({
    name: 'junction_sync_vendor_calls_total',
    help: 'HTTP attempts the background sync made to vendors (listings served from the cache make none), by vendor.',
    labelNames: ['vendor'],
    registers: [registry],
  });
  const subscriptionsOpen = new Gauge({
    name: 'junction_subscriptions_open',
    help: 'Subscription operations open on this instance, by transport (sse, websocket).',
    labelNames: ['transport'],
    registers: [registry],
  });
  const subscriptionMessages = new Counter({
    name: 'junction_subscription_messages_total',
    help: 'Subscription `next` messages sent (events, and errors that end a subscription), by transport.',
    labelNames: ['transport'],
    registers: [registry],
  });
  const syncEvents = new Counter({
    name: 'junction_connection_events_total',
    help: 'Connection change events the background sync appended to the index log, by vendor.',
    labelNames: ['vendor'],
    registers: [registry],
  });

  const webhookAttempts = new Counter({
    name: 'junction_webhook_attempts_total',
    help: 'Webhook delivery attempts, by the state they left the delivery in (DELIVERED, RETRYING, DEAD_LETTERED) and the failure (HTTP_STATUS, TIMEOUT, CONNECTION, DNS, TARGET_NOT_ALLOWED, none).',
    labelNames: ['state', 'error'],
    registers: [registry],
  });

  const auditWritesLost = new Counter({
    name: 'junction_audit_writes_lost_total',
    help: 'Audit entries the audit store did not keep (the log line has them), by reason: failed (the write failed or timed out) or dropped (too many writes in flight).',
    labelNames: ['reason'],
    registers: [registry],
  });

  const knownNames = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (knownNames.has(name)) return name;
    if (knownNames.size >= MAX_OPERATION_NAMES) return 'other';
    knownNames.add(name);
    return name;
  };

  const operation: GatewayMetrics['operation'] = (name, type, outcome, seconds) => {
    operations.inc({ operation: operationLabel(name), type, outcome });
    operationSeconds.observe({ type, outcome }, seconds);
  };

  // One child per series, looked up without building a label object per vendor call: the same series and values.
  const attemptChildren = new Map<string, Map<string, Map<string, Histogram.Internal<string>>>>();
  const upstreamAttempts = (vendor: string, method: string, status: string): Histogram.Internal<string> => {
    let byMethod = attemptChildren.get(vendor);
    if (byMethod === undefined) attemptChildren.set(vendor, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (child === undefined) byStatus.set(status, (child = upstreamSeconds.labels({ vendor, method, status })));
    return child;
  };

  return {
    contentType: registry.contentType,
    upstream: {
      attempt: (vendor, method, status, seconds) => upstreamAttempts(vendor, method, status).observe(seconds),
      retry: (vendor, reason) => retries.inc({ vendor, reason }),
      breakerState: (vendor, tenant, state) => breakerState.set({ vendor, tenant }, BREAKER_STATE_VALUE[state]),
      breakerRejected: (vendor, tenant) => breakerRejections.inc({ vendor, tenant }),
      bulkheadRejected: (vendor, tenant) => bulkheadRejections.inc({ vendor, tenant }),
    },
    cache: {
      onLookup: ({ vendor, hits, misses }) => {
        if (hits > 0) cacheLookups.inc({ vendor, result: 'hit' }, hits);
        if (misses > 0) cacheLookups.inc({ vendor, result: 'miss' }, misses);
      },
      onFault: ({ operation, reason }) => redisErrors.inc({ operation, reason }),
    },
    operation,
    responseCache({ result, operationName, seconds }) {
      responseCacheResults.inc({ result });
      // Apollo never sees a hit, so its operation is counted here.
      if (result === 'hit' || result === 'shared') operation(operationName ?? undefined, 'query', 'ok', seconds ?? 0);
    },
    degradation: (dependency, isDegraded) => degraded.set({ dependency }, isDegraded ? 1 : 0),
    httpResponse: (route, status) => httpResponses.inc({ route: routeLabel(route), status: String(status) }),
    persistedQueryMiss: () => persistedQueryMisses.inc(),
    unknownVendorValue: (vendor, field) => unknownValues.inc({ vendor, field }),
    rateLimited: (policy, tenant) => rateLimitRefusals.inc({ policy, tenant }),
    rateLimitStoreFailure: () => rateLimitStoreFailures.inc(),
    sync: {
      run: (vendor, outcome) => syncRuns.inc({ vendor, outcome }),
      vendorCall: (vendor) => syncVendorCalls.inc({ vendor }),
      eventsAppended: (vendor, count) => syncEvents.inc({ vendor }, count),
    },
    subscriptions: {
      opened: (transport) => subscriptionsOpen.inc({ transport }),
      closed: (transport) => subscriptionsOpen.dec({ transport }),
      delivered: (transport) => subscriptionMessages.inc({ transport }),
    },
    webhookAttempt: (state, error) => webhookAttempts.inc({ state, error: error ?? 'none' }),
    auditWriteLost: (reason) => auditWritesLost.inc({ reason }),
    render: () => registry.metrics(),
  };
}
