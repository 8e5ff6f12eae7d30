import { performance } from 'node:perf_hooks';
import type { Config, TenantConfig } from '../config/config.js';
import type { SyncConfig } from '../config/sync-config.js';
import type { ConnectionIndexStore, LeaseStore, SyncUnit } from '../domain/connection-index.js';
import { UpstreamError } from '../domain/errors.js';
import { syncOrganization, type SyncOutcome } from '../domain/index-sync.js';
import type { ReadThrough } from '../loaders/upstream-transport.js';
import type { Logger } from '../observability/logger.js';
import { randomHex } from '../observability/random-ids.js';
import { createVendorAdapters } from '../vendors/registry.js';

/**
 * The background sync of one gateway instance: every tenant × configured
 * vendor × organization is listed about once per interval (with jitter), a few
 * at a time. Each attempt takes the unit's lease first and skips a unit another
 * instance holds or synced within this interval, so the instances share the
 * work and a dead instance's units are picked up at the next attempt after its
 * leases expire (lease < interval). Vendor calls go through the request path's
 * transport, cache, resilience policy and per-tenant bulkhead; a failed sync
 * keeps the entry and tries again later, backing off.
 */

export type SyncRunOutcome = 'baseline' | 'committed' | 'fresh' | 'held' | 'stale' | 'conflict' | 'failed';

export interface SyncObserver {
  run(vendor: string, outcome: SyncRunOutcome): void;
  /** An HTTP attempt a sync made to a vendor (a listing served from the cache makes none). */
  vendorCall(vendor: string): void;
  eventsAppended(vendor: string, count: number): void;
}

export interface SyncSchedulerDeps {
  readonly tenants: readonly TenantConfig[];
  readonly reads: ReadThrough;
  readonly store: ConnectionIndexStore;
  readonly leases: LeaseStore;
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly observer: SyncObserver;
  readonly now: () => number;
  /** Milliseconds one unit's vendor calls may take in all (the request deadline). */
  readonly deadlineMs?: number | undefined;
}

/** What one round of `syncNow` did, per outcome. */
export type SyncRoundReport = Readonly<Partial<Record<SyncRunOutcome, number>>>;

export interface SyncScheduler {
  /** Starts the timer that runs due units (not started: only `syncNow` syncs, as in tests). */
  start(): void;
  /** Attempts every unit now (`due`: only those whose time has come, as the timer would); resolves when all are done. */
  syncNow(options?: { readonly due?: boolean }): Promise<SyncRoundReport>;
  /** Stops scheduling, waits for the syncs in flight and releases their leases. */
  stop(): Promise<void>;
}

interface UnitState {
  readonly unit: SyncUnit;
  readonly tenant: TenantConfig;
  dueAt: number;
  failures: number;
  running: Promise<SyncRunOutcome> | null;
}

/** The lease name of a unit (one lease per tenant × vendor × organization). */
export const unitLeaseName = (unit: Omit<SyncUnit, 'tenantId'>) => `sync:${unit.vendor}:${unit.organizationId}`;

export function createSyncScheduler(deps: SyncSchedulerDeps): SyncScheduler {
  const { config, store, leases, now, observer } = deps;
  const intervalMs = config.intervalSeconds * 1000;
  const leaseMs = config.leaseSeconds * 1000;
  const jittered = (ms: number) => ms * (1 + config.jitter * (2 * Math.random() - 1));
  // A unit synced more recently than this (by any instance) is skipped: one sync per unit per interval.
  const freshMs = intervalMs * (1 - config.jitter) * 0.9;
  const units: UnitState[] = deps.tenants.flatMap((tenant) =>
    [...createVendorAdapters(tenant.vendors, deps.reads.forRequest(tenant.id)).values()].flatMap((adapter) =>
      adapter.organizations.list.map((organization) => ({
        unit: { tenantId: tenant.id, vendor: adapter.vendor, organizationId: organization.id },
        tenant,
        // The first round spreads over the first jitter window, so a fresh instance indexes soon.
        dueAt: now() + Math.random() * intervalMs * Math.max(config.jitter, 0.05),
        failures: 0,
        running: null,
      })),
    ),
  );
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let active = 0;
  const waiting: (() => void)[] = [];

  /** Private: one attempt at one unit, under its lease. */
  async function attempt(state: UnitState): Promise<SyncRunOutcome> {
    const { unit, tenant } = state;
    const lease = await leases.acquire(unit.tenantId, unitLeaseName(unit), leaseMs);
    if (!lease) return 'held';
    // Renewed while the vendor is slow; the commit is fenced whatever happens to the renewals.
    const renewal = setInterval(() => void leases.renew(lease, leaseMs).catch(() => {}), leaseMs / 3);
    renewal.unref();
    try {
      const [entry] = await store.read(unit.tenantId, [unit]);
      if (entry && now() - Date.parse(entry.syncedAt) < freshMs) return 'fresh';
      const connect = deps.reads.forRequest(tenant.id, {
        headers: { 'x-request-id': `sync-${randomHex(8)}` },
        trace: {
          startAttempt: ({ vendor }) => {
            observer.vendorCall(vendor);
            return { traceparent: '', end: () => {} };
          },
        },
        deadline: deps.deadlineMs === undefined ? undefined : performance.now() + deps.deadlineMs,
      });
      const adapter = createVendorAdapters(tenant.vendors, connect).get(unit.vendor)!;
      const outcome: SyncOutcome = await syncOrganization(adapter, store, unit, { lease, now });
      if (outcome.status !== 'committed') return outcome.status;
      if (outcome.events.length > 0) observer.eventsAppended(unit.vendor, outcome.events.length);
      return outcome.baseline ? 'baseline' : 'committed';
    } finally {
      clearInterval(renewal);
      await leases.release(lease).catch(() => {});
    }
  }

  // A vendor down fails every one of its units: one log line per tenant and vendor per interval, with a count.
  const failureLog = new Map<string, { loggedAt: number; suppressed: number }>();
  const noteFailure = (unit: SyncUnit, error: unknown) => {
    const key = `${unit.tenantId}\u0000${unit.vendor}`;
    const last = failureLog.get(key);
    if (last && now() - last.loggedAt < intervalMs) return void (last.suppressed += 1);
    failureLog.set(key, { loggedAt: now(), suppressed: 0 });
    deps.logger.warn(
      {
        tenant: unit.tenantId,
        vendor: unit.vendor,
        error: (error as Error).message,
        suppressed: last?.suppressed ?? 0,
      },
      'connection index sync failed; the index keeps its entries and the units are tried again later',
    );
  };

  /** Private: runs one attempt, records it and schedules the unit's next one. */
  async function run(state: UnitState): Promise<SyncRunOutcome> {
    let outcome: SyncRunOutcome;
    let retryAfterMs = 0;
    try {
      outcome = await attempt(state);
    } catch (error) {
      outcome = 'failed';
      if (error instanceof UpstreamError && error.details.retryAfter !== undefined)
        retryAfterMs = error.details.retryAfter * 1000;
      noteFailure(state.unit, error);
    }
    observer.run(state.unit.vendor, outcome);
    state.failures = outcome === 'failed' ? state.failures + 1 : 0;
    const backoff = intervalMs * Math.min(2 ** Math.max(0, state.failures - 1), 8);
    state.dueAt = now() + Math.max(jittered(backoff), retryAfterMs);
    return outcome;
  }

  /** Private: runs `state` when a slot of the concurrency limit is free. */
  async function enqueue(state: UnitState): Promise<SyncRunOutcome> {
    if (state.running) return state.running;
    state.running = (async () => {
      while (active >= config.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        return stopped ? 'held' : await run(state);
      } finally {
        active -= 1;
        waiting.shift()?.();
        state.running = null;
      }
    })();
    return state.running;
  }

  const tick = () => {
    if (stopped) return;
    for (const state of units) if (!state.running && state.dueAt <= now()) void enqueue(state);
    timer = setTimeout(tick, Math.min(1000, intervalMs / 10));
    timer.unref();
  };

  return {
    start() {
      if (!stopped && !timer) tick();
    },
    async syncNow(options = {}) {
      const chosen = options.due ? units.filter((state) => state.dueAt <= now()) : units;
      const outcomes = await Promise.all(chosen.map((state) => enqueue(state)));
      const report: Partial<Record<SyncRunOutcome, number>> = {};
      for (const outcome of outcomes) report[outcome] = (report[outcome] ?? 0) + 1;
      return report;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled(units.map((state) => state.running));
    },
  };
}

/** The configured sync of one instance, started on its timer unless `manual`; undefined when sync is off. */
export function startConnectionSync(
  config: Pick<Config, 'sync' | 'tenants' | 'upstream'>,
  deps: Pick<SyncSchedulerDeps, 'reads' | 'store' | 'leases' | 'logger' | 'observer'> & {
    readonly now?: (() => number) | undefined;
    readonly manual?: boolean;
  },
): SyncScheduler | undefined {
  if (!config.sync.enabled) return undefined;
  const scheduler = createSyncScheduler({
    ...deps,
    tenants: config.tenants,
    config: config.sync,
    logger: deps.logger.child({ component: 'sync' }),
    now: deps.now ?? Date.now,
    deadlineMs: config.upstream.requestDeadlineMs,
  });
  if (!deps.manual) scheduler.start();
  return scheduler;
}
