/**
 * What the cache layer reports, for metrics: the Redis store reports faults and
 * recoveries, the read-through layer reports lookups and invalidations. The
 * metrics module implements CacheObserver (e.g. with prom-client counters);
 * without one, `createCacheCounters` keeps plain in-process totals.
 */

/** A Redis command that failed (down, timed out, refused) and ran as a miss or no-op instead. */
export interface CacheFaultEvent {
  readonly operation: 'get' | 'set' | 'delete' | 'setIfAbsent' | 'clear';
  /** `unavailable` (not connected), `timeout` (no answer within the command timeout) or `error`. */
  readonly reason: 'unavailable' | 'timeout' | 'error';
}

interface CacheLookupEvent {
  readonly vendor: string;
  readonly hits: number;
  readonly misses: number;
}

export interface CacheObserver {
  onFault?(event: CacheFaultEvent): void;
  /** The first successful command after one or more faults. */
  onRecovered?(): void;
  onLookup?(event: CacheLookupEvent): void;
  /** A write to a vendor invalidated the tenant's cached reads of that vendor. */
  onInvalidation?(event: { readonly vendor: string; readonly applied: boolean }): void;
}

interface CacheCounters {
  faults: number;
  recoveries: number;
  hits: number;
  misses: number;
  invalidations: number;
  /** Invalidations the cache could not record at once (Redis down); retried before the next lookup. */
  deferredInvalidations: number;
}

/** Plain counters plus the observer that feeds them; `forward` also passes every event on (to a metrics observer). */
export function createCacheCounters(forward: CacheObserver = {}): {
  counters: Readonly<CacheCounters>;
  observer: CacheObserver;
} {
  const counters: CacheCounters = {
    faults: 0,
    recoveries: 0,
    hits: 0,
    misses: 0,
    invalidations: 0,
    deferredInvalidations: 0,
  };
  return {
    counters,
    observer: {
      onFault(event) {
        counters.faults += 1;
        forward.onFault?.(event);
      },
      onRecovered() {
        counters.recoveries += 1;
        forward.onRecovered?.();
      },
      onLookup(event) {
        counters.hits += event.hits;
        counters.misses += event.misses;
        forward.onLookup?.(event);
      },
      onInvalidation(event) {
        counters.invalidations += 1;
        if (!event.applied) counters.deferredInvalidations += 1;
        forward.onInvalidation?.(event);
      },
    },
  };
}

/** One cache observer that tells the metrics and, when given, the caller's own observer (tests). */
export function fanOutCacheObserver(metrics: CacheObserver, other: CacheObserver | undefined): CacheObserver {
  if (!other) return metrics;
  return {
    onFault: (event) => (metrics.onFault?.(event), other.onFault?.(event)),
    onRecovered: () => (metrics.onRecovered?.(), other.onRecovered?.()),
    onLookup: (event) => (metrics.onLookup?.(event), other.onLookup?.(event)),
    onInvalidation: (event) => (metrics.onInvalidation?.(event), other.onInvalidation?.(event)),
  };
}
