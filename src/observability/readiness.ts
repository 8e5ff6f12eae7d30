import type { CacheObserver } from '../cache/cache-events.js';
import type { CacheStore } from '../cache/cache-store.js';
import type { ReadinessReport } from '../server/http-server.js';

/**
 * /readyz: the configuration was loaded (the gateway would not be running
 * otherwise) and, when Redis is configured, Redis answers. Cache stores never
 * throw (a fault is a miss), so the probe reads one key and watches whether
 * the store reported a fault meanwhile.
 */
export interface ReadinessProbe {
  /** Wrap the cache's observer with this, so the probe sees the store's faults. */
  readonly cacheObserver: CacheObserver;
  check(): Promise<ReadinessReport>;
}

const PROBE_KEY = 'junction:readyz-probe';

export function createReadinessProbe(options: {
  readonly redisConfigured: boolean;
  readonly cache: () => CacheStore;
  readonly forward: CacheObserver;
}): ReadinessProbe {
  let faults = 0;
  const cacheObserver: CacheObserver = {
    ...options.forward,
    onFault(event) {
      faults += 1;
      options.forward.onFault?.(event);
    },
  };
  return {
    cacheObserver,
    async check() {
      const checks: Record<string, string> = { config: 'ok' };
      if (options.redisConfigured) {
        const before = faults;
        await options.cache().getMany([PROBE_KEY]);
        checks.redis = faults === before ? 'ok' : 'unreachable';
      }
      return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
    },
  };
}
