import { expect, it } from 'vitest';
import type { ConnectionIndexStore, LeaseStore, SyncUnit } from '../../src/domain/connection-index.js';
import { syncOrganization } from '../../src/domain/index-sync.js';
import type { VendorAdapter } from '../../src/vendors/port.js';
import type { ConnectionModel } from '../../src/domain/models.js';
import { connection } from './fixtures.js';

/**
 * What every connection index store and lease store does (memory, Redis, Redis Cluster):
 * compare-and-set commits, fenced by leases, an ordered event log with retention, counts.
 */

export interface StoreUnderTest {
  readonly store: ConnectionIndexStore;
  /** Two lease stores as two instances see one (their own owner ids). */
  readonly leases: readonly [LeaseStore, LeaseStore];
  /** Lets a granted lease expire (moves the clock or waits for Redis' own). */
  expire(tenantId: string, name: string): Promise<void>;
}

let counter = 0;
const freshTenant = () => `t${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A stub adapter (the vendor port) whose listing the test sets: unit tests of the sync, not of a vendor. */
function listingAdapter(listing: () => readonly ConnectionModel[]): VendorAdapter & { calls: number } {
  const adapter = {
    calls: 0,
    vendor: 'LEEN' as const,
    async listConnections() {
      adapter.calls += 1;
      return listing();
    },
  };
  return adapter as unknown as VendorAdapter & { calls: number };
}

const now = () => Date.now();

export function storeContract(setup: () => StoreUnderTest | Promise<StoreUnderTest>) {
  const unitOf = (tenantId: string): SyncUnit => ({ tenantId, vendor: 'LEEN', organizationId: 'org-1' });
  const commitOf = (expectedVersion: number | null, connections: ConnectionModel[], events = [] as never[]) => ({
    expectedVersion,
    syncedAt: new Date().toISOString(),
    connections,
    events,
    lease: null,
  });

  it('commits with compare-and-set: a writer that read an older version is refused and nothing is written', async () => {
    const { store } = await setup();
    const unit = unitOf(freshTenant());
    const first = await store.commit(unit, commitOf(null, [connection('a')]));
    expect(first).toMatchObject({ status: 'committed', version: 1 });
    expect(await store.commit(unit, commitOf(null, [connection('b')]))).toEqual({ status: 'conflict' });
    expect(await store.commit(unit, commitOf(1, [connection('c')]))).toMatchObject({ version: 2 });
    expect(await store.commit(unit, commitOf(1, [connection('d')]))).toEqual({ status: 'conflict' });
    const [entry, missing] = await store.read(unit.tenantId, [unit, { vendor: 'LEEN', organizationId: 'none' }]);
    expect(entry).toMatchObject({ version: 2, vendor: 'LEEN', organizationId: 'org-1' });
    expect(entry!.connections).toEqual([connection('c')]);
    expect(missing).toBeNull();
  });

  it('counts connections by vendor, status and provider, per tenant', async () => {
    const { store } = await setup();
    const tenant = freshTenant();
    const unit = unitOf(tenant);
    await store.commit(unit, commitOf(null, [connection('a'), connection('b', { status: 'ERROR' })]));
    await store.commit(unit, commitOf(1, [connection('a', { status: 'ERROR' }), connection('b', { status: 'ERROR' })]));
    expect(await store.counts(tenant)).toEqual([
      { vendor: 'LEEN', status: 'ERROR', providerSlug: 'provider-a', count: 1 },
      { vendor: 'LEEN', status: 'ERROR', providerSlug: 'provider-b', count: 1 },
    ]);
    expect(await store.counts(freshTenant())).toEqual([]);
  });

  it('syncs: the first indexing is a baseline, a change is one event, a racing loser reports nothing', async () => {
    const { store } = await setup();
    const unit = unitOf(freshTenant());
    let listing = [connection('a'), connection('b')];
    const adapter = listingAdapter(() => listing);
    const baseline = await syncOrganization(adapter, store, unit, { lease: null, now });
    expect(baseline).toMatchObject({ status: 'committed', baseline: true, events: [] });
    expect(await store.lastEventId(unit.tenantId)).toBeNull();
    listing = [connection('a', { status: 'ERROR', vendorStatus: 'error' }), connection('b')];
    const [one, two] = await Promise.all([
      syncOrganization(adapter, store, unit, { lease: null, now }),
      syncOrganization(adapter, store, unit, { lease: null, now }),
    ]);
    const events = [one, two].flatMap((o) => (o.status === 'committed' ? o.events : []));
    expect(events.map((e) => [e.type, e.connectionKey, e.before?.status, e.after?.status])).toEqual([
      ['STATUS_CHANGED', 'a', 'ACTIVE', 'ERROR'],
    ]);
    const logged = await store.readEvents(unit.tenantId, { after: null, limit: 10 });
    expect(logged.events.map((e) => e.id)).toEqual([events[0]!.id]);
    expect(logged.events[0]).toEqual(events[0]);
  });

  it('fences: a commit under a lease that expired and was granted again is refused', async () => {
    const { store, leases, expire } = await setup();
    const unit = unitOf(freshTenant());
    const name = 'sync:LEEN:org-1';
    const stale = await leases[0].acquire(unit.tenantId, name, 60_000);
    expect(stale).not.toBeNull();
    expect(await leases[1].acquire(unit.tenantId, name, 60_000)).toBeNull();
    await expire(unit.tenantId, name);
    const fresh = await leases[1].acquire(unit.tenantId, name, 60_000);
    expect(fresh!.fence).toBeGreaterThan(stale!.fence);
    expect(await leases[0].renew(stale!, 60_000)).toBe(false);
    const adapter = listingAdapter(() => [connection('a')]);
    expect(await syncOrganization(adapter, store, unit, { lease: stale, now })).toEqual({ status: 'conflict' });
    expect(await store.read(unit.tenantId, [unit])).toEqual([null]);
    expect(await syncOrganization(adapter, store, unit, { lease: fresh, now })).toMatchObject({ status: 'committed' });
    await leases[0].release(stale!);
    expect(await leases[1].renew(fresh!, 60_000)).toBe(true);
    await leases[1].release(fresh!);
    expect(await leases[0].acquire(unit.tenantId, name, 60_000)).not.toBeNull();
  });

  it('reads events after a cursor (exclusive), oldest first, in pages; tenants never share a log', async () => {
    const { store } = await setup();
    const [tenant, other] = [freshTenant(), freshTenant()];
    const unit = unitOf(tenant);
    await store.commit(unit, commitOf(null, []));
    for (let version = 1; version <= 5; version++) {
      const c = connection(`c${version}`);
      const event = {
        type: 'CREATED' as const,
        changes: ['CREATED' as const],
        time: new Date().toISOString(),
        tenantId: tenant,
        vendor: 'LEEN' as const,
        organizationId: 'org-1',
        connectionKey: c.key,
        before: null,
        after: c,
        source: { kind: 'SYNC' as const },
      };
      await store.commit(unit, { ...commitOf(version, [c]), events: [event as never] });
    }
    const all = await store.readEvents(tenant, { after: null, limit: 100 });
    expect(all.events.map((e) => e.connectionKey)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(all.trimmed).toBe(false);
    const ids = all.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
    const page = await store.readEvents(tenant, { after: ids[1]!, limit: 2 });
    expect(page.events.map((e) => e.connectionKey)).toEqual(['c3', 'c4']);
    expect((await store.readEvents(tenant, { after: ids[4]!, limit: 2 })).events).toEqual([]);
    expect(await store.lastEventId(tenant)).toBe(ids[4]);
    expect(await store.readEvents(other, { after: null, limit: 100 })).toEqual({ events: [], trimmed: false });
    expect(await store.lastEventId(other)).toBeNull();
  });
}

/** Retention: at most `maxEntries` kept; a cursor older than the oldest kept reads `trimmed`. */
export function retentionContract(setup: () => StoreUnderTest | Promise<StoreUnderTest>, maxEntries: number) {
  it('keeps a bounded log and says when a cursor is older than what it kept', async () => {
    const { store } = await setup();
    const tenant = freshTenant();
    const unit = unitOf(tenant);
    await store.commit(unit, {
      expectedVersion: null,
      syncedAt: new Date().toISOString(),
      connections: [],
      events: [],
      lease: null,
    });
    const ids: string[] = [];
    for (let version = 1; version <= maxEntries * 3; version++) {
      const c = connection(`c${version}`);
      const event = {
        type: 'CREATED',
        changes: ['CREATED'],
        time: '',
        tenantId: tenant,
        vendor: 'LEEN',
        organizationId: 'org-1',
        connectionKey: c.key,
        before: null,
        after: c,
        source: { kind: 'SYNC' },
      };
      const result = await store.commit(unit, {
        expectedVersion: version,
        syncedAt: new Date().toISOString(),
        connections: [c],
        events: [event as never],
        lease: null,
      });
      if (result.status === 'committed') ids.push(result.events[0]!.id);
    }
    const kept = await store.readEvents(tenant, { after: null, limit: 1000 });
    expect(kept.events.length).toBeLessThan(maxEntries * 3);
    expect(kept.events.length).toBeGreaterThanOrEqual(maxEntries);
    expect(kept.events.at(-1)!.id).toBe(ids.at(-1));
    expect((await store.readEvents(tenant, { after: ids[0]!, limit: 1000 })).trimmed).toBe(true);
    const oldestKept = kept.events[0]!.id;
    const fromKept = await store.readEvents(tenant, { after: oldestKept, limit: 1000 });
    expect(fromKept.trimmed).toBe(false);
    expect(fromKept.events.length).toBe(kept.events.length - 1);
  });
}
const unitOf = (tenantId: string): SyncUnit => ({ tenantId, vendor: 'LEEN', organizationId: 'org-1' });
