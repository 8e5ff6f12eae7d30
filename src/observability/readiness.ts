import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';

/**
 * /readyz means "this instance can serve". Redis is a cache: while it is down
 * every query still answers from the vendors, so a Redis outage is reported as
 * a degradation (200 with `degraded: ["redis"]`, junction_dependency_degraded at 1), never
 * as unready; otherwise one shared Redis going down would make the load
 * balancer or orchestrator take every instance out of service at once. Unready
 * only while draining for shutdown (here) or shutting down (the HTTP server).
 * Cache stores never throw (a fault is a miss), so the probe reads one key and
 * watches whether the store reported a fault meanwhile.
 */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Per dependency: "ok", or why it is not. */
  readonly checks: Readonly<Record<string, string>>;
}

interface ReadinessProbe {
  /** Wrap the cache's observer with this, so the probe sees the store's faults. */
  readonly cacheObserver: CacheObserver;
  check(): Promise<ProbeReport>;
  /** From now on unready (still serving), so load balancers stop sending before the listener closes. */
  drain(): void;
}

interface ProbeReport extends ReadinessReport {
  /** Dependencies failing while the instance still serves (without them, at a cost); absent when none. */
  readonly degraded?: readonly string[];
}

/** Told whenever a dependency's degradation starts or ends (the metrics' gauge). */
export type DegradationListener = (dependency: 'redis', degraded: boolean) => void;

/** The key the probe reads (exported for tests that need to know which Redis node serves it). */
export const PROBE_KEY = 'junction:readyz-probe';

export function createReadinessProbe(options: {
  readonly redisConfigured: boolean;
  readonly cache: () => CacheStore;
  readonly forward: CacheObserver;
  readonly onDegradation?: DegradationListener;
}): ReadinessProbe {
  let faults = 0;
  let draining = false;
  const cacheObserver: CacheObserver = {
    ...options.forward,
    onFault(event) {
      faults += 1;
      options.onDegradation?.('redis', true);
      options.forward.onFault?.(event);
    },
    onRecovered() {
      options.onDegradation?.('redis', false);
      options.forward.onRecovered?.();
    },
  };
  if (options.redisConfigured) options.onDegradation?.('redis', false);
  return {
    cacheObserver,
    drain: () => void (draining = true),
    async check() {
      const checks: Record<string, string> = { config: 'ok' };
      const degraded: string[] = [];
      if (options.redisConfigured) {
        const before = faults;
        await options.cache().getMany([PROBE_KEY]);
        const reachable = faults === before;
        checks.redis = reachable ? 'ok' : 'unreachable';
        if (!reachable) degraded.push('redis');
        options.onDegradation?.('redis', !reachable);
      }
      if (draining) checks.server = 'draining';
      return { ready: !draining, checks, ...(degraded.length > 0 && { degraded }) };
    },
  };
}
