import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryConnectionIndexStore } from '../../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../../src/cache/lease-store.js';
import type { ConnectionIndexStore } from '../../src/domain/connection-index.js';
import { pageConnections, PAGE_LIMITS, type ConnectionPageArgs } from '../../src/domain/connection-pages.js';
import { UpstreamError } from '../../src/domain/errors.js';
import { syncOrganization } from '../../src/domain/index-sync.js';
import type { ConnectionModel, Vendor } from '../../src/domain/models.js';
import { pageOrganizations } from '../../src/domain/organization-pages.js';
import type { TenantScope } from '../../src/domain/tenant-scope.js';
import { ReadLedger } from '../../src/request/read-ledger.js';
import { configuredOrganizations } from '../../src/vendors/adapter-kit.js';
import type { VendorAdapter } from '../../src/vendors/port.js';
import { connection } from '../index/fixtures.js';
import { manualClock } from '../helpers/clock.js';

/**
 * The paging logic against the memory index store, with vendors as fakes of
 * the adapter port (a world of organizations whose listings a test changes).
 * Over HTTP with the simulators and Redis: test/gateway/pages.test.ts.
 */

type World = Map<string, ConnectionModel[]>;

function fakeAdapter(vendor: Vendor, organizationIds: readonly string[], world: World, calls: string[]): VendorAdapter {
  const configured = organizationIds.map((id) => ({ id }));
  return {
    vendor,
    organizations: configuredOrganizations(configured),
    checkConnectionKey: () => null,
    getOrganization: async (id) => ({
      vendor,
      externalId: id,
      displayName: null,
      state: null,
      createdAt: null,
      updatedAt: null,
    }),
    listConnections: async (organizationId) => {
      calls.push(`${vendor}:${organizationId}`);
      if (organizationId.startsWith('down')) throw new UpstreamError(vendor, 'UPSTREAM_UNAVAILABLE', 'down');
      return world.get(`${vendor}:${organizationId}`) ?? [];
    },
    getConnection: async () => null,
    listProviders: async () => [],
    listActions: async () => [],
  };
}

const orgIds = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

/** `perOrganization` connections in each organization, statuses alternating ACTIVE/ERROR. */
function seedWorld(world: World, vendor: Vendor, ids: readonly string[], perOrganization: number) {
  for (const id of ids)
    world.set(
      `${vendor}:${id}`,
      Array.from({ length: perOrganization }, (_, c) =>
        connection(`${id}-k${c}`, { vendor, organizationId: id, status: c % 2 === 0 ? 'ACTIVE' : 'ERROR' }, vendor),
      ),
    );
}

describe('pages of connections from the index', () => {
  const clock = manualClock();
  let store: ConnectionIndexStore;
  let world: World;
  let calls: string[];
  const scopeOf = (vendors: Partial<Record<Vendor, readonly string[]>>, tenantId = 'acme'): TenantScope => {
    const adapters = new Map(
      Object.entries(vendors).map(([vendor, ids]) => [
        vendor as Vendor,
        fakeAdapter(vendor as Vendor, ids, world, calls),
      ]),
    );
    return { tenantId, adapters, reads: new ReadLedger(), connectionIndex: { store, adapters, now: clock.now } };
  };
  const page = (scope: TenantScope, args: ConnectionPageArgs) => pageConnections(scope, scope.connectionIndex!, args);

  /** Every page from the start; `between` runs after each page (the world changing under the walk). */
  async function walk(scope: TenantScope, args: ConnectionPageArgs, between?: (pageNumber: number) => Promise<void>) {
    const keys: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 10_000; n++) {
      const result = await page(scope, { ...args, after });
      keys.push(...result.edges.map((e) => `${e.node.vendor}:${e.node.key}`));
      if (!result.pageInfo.hasNextPage) return { keys, pages: n + 1 };
      after = result.pageInfo.endCursor;
      await between?.(n);
    }
    throw new Error('the walk never ended');
  }

  beforeEach(() => {
    store = createMemoryConnectionIndexStore({
      retention: { maxEntries: 10_000, maxAgeSeconds: 0 },
      leases: createMemoryLeaseStore({ owner: 'test', now: clock.now }),
      now: clock.now,
    });
    world = new Map();
    calls = [];
  });

  it('walks every connection once, vendor by vendor in organization order, indexing cold organizations as a baseline', async () => {
    const leen = orgIds('l', 9);
    const userhub = orgIds('u', 4);
    seedWorld(world, 'LEEN', leen, 3);
    seedWorld(world, 'USERHUB', userhub, 2);
    const scope = scopeOf({ USERHUB: userhub, LEEN: leen });
    const { keys, pages } = await walk(scope, { first: 4 });
    const expected = [
      ...leen.flatMap((o) => [0, 1, 2].map((c) => `LEEN:${o}-k${c}`)),
      ...userhub.flatMap((o) => [0, 1].map((c) => `USERHUB:${o}-k${c}`)),
    ];
    // Vendors in the schema enum's order (LEEN first), whatever the configuration's.
    expect(keys).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 4));
    expect(new Set(calls).size).toBe(calls.length);
    expect(await store.lastEventId('acme')).toBeNull();
    const again = await page(scope, { first: 500 });
    expect(again.edges).toHaveLength(expected.length);
    expect(await again.countTotal()).toBe(expected.length);
    expect(calls).toHaveLength(13);
  });

  it('a page of a cold 3,000-organization tenant reads about its own size from the vendor, not the tenant', async () => {
    const ids = orgIds('o', 3000);
    seedWorld(world, 'LEEN', ids, 10);
    const scope = scopeOf({ LEEN: ids });
    const first = await page(scope, { first: 50 });
    expect(first.edges).toHaveLength(50);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(51 / PAGE_LIMITS.guessPerOrganization) + 1);
    const warm = calls.length;
    await page(scope, { first: 50 });
    expect(calls).toHaveLength(warm);
  });

  it('no duplicate and no gap while connections are added and removed between pages', async () => {
    const ids = orgIds('o', 12);
    seedWorld(world, 'LEEN', ids, 4);
    const scope = scopeOf({ LEEN: ids });
    const present = new Set([...world.values()].flat().map((c) => `LEEN:${c.key}`));
    const removed = new Set<string>();
    const added = new Set<string>();
    const { keys } = await walk(scope, { first: 5 }, async (n) => {
      // Each page: one connection added and one removed in every organization, and every organization synced.
      for (const id of ids) {
        const listing = world.get(`LEEN:${id}`)!;
        const gone = listing.shift();
        if (gone) removed.add(`LEEN:${gone.key}`);
        const fresh = connection(`${id}-n${n}`, { organizationId: id });
        added.add(`LEEN:${fresh.key}`);
        listing.push(fresh);
        clock.advance(1000);
        await syncOrganization(
          scope.adapters.get('LEEN')!,
          store,
          { tenantId: 'acme', vendor: 'LEEN', organizationId: id },
          {
            lease: null,
            now: clock.now,
          },
        );
      }
    });
    expect(new Set(keys).size).toBe(keys.length);
    // Everything present from start to end was seen; what appeared is seen or not, never twice.
    for (const key of present) if (!removed.has(key)) expect(keys).toContain(key);
    for (const key of keys) expect(present.has(key) || added.has(key)).toBe(true);
  });

  it('filters by status and provider, and totalCount counts the index without a scan', async () => {
    const ids = orgIds('o', 6);
    seedWorld(world, 'LEEN', ids, 4);
    const scope = scopeOf({ LEEN: ids });
    const { keys } = await walk(scope, { first: 3, filter: { status: ['ERROR'] } });
    expect(keys).toEqual(ids.flatMap((o) => [`LEEN:${o}-k1`, `LEEN:${o}-k3`]));
    const one = await page(scope, { first: 1, filter: { status: ['ERROR'] } });
    expect(await one.countTotal()).toBe(12);
    expect(await (await page(scope, { first: 1, filter: { provider: 'PROVIDER-o-00002-K1' } })).countTotal()).toBe(1);
  });

  it('an organization that cannot be read is reported and walked past; the answer is not cacheable', async () => {
    const ids = ['a', 'down-1', 'b'];
    seedWorld(world, 'LEEN', ids, 2);
    const scope = scopeOf({ LEEN: ids });
    const result = await page(scope, { first: 10 });
    expect(result.edges.map((e) => e.node.key)).toEqual(['a-k0', 'a-k1', 'b-k0', 'b-k1']);
    expect(result.failures).toMatchObject([{ vendor: 'LEEN', organizationId: 'down-1' }]);
    expect(scope.reads.cacheable).toBe(false);
  });

  it('an organization dropped from the configuration mid-walk: the walk resumes where it stood', async () => {
    const ids = orgIds('o', 5);
    seedWorld(world, 'LEEN', ids, 2);
    const before = await page(scopeOf({ LEEN: ids }), { first: 4 });
    expect(before.edges.at(-1)!.node.key).toBe('o-00001-k1');
    const after = await page(scopeOf({ LEEN: ids.filter((id) => id !== 'o-00001') }), {
      first: 4,
      after: before.pageInfo.endCursor,
    });
    expect(after.edges.map((e) => e.node.key)).toEqual(['o-00002-k0', 'o-00002-k1', 'o-00003-k0', 'o-00003-k1']);
  });

  it('a sparse filter ends a page early at the walk budget, with a cursor that resumes after what was walked', async () => {
    const ids = orgIds('o', PAGE_LIMITS.unitsWalked + 10);
    seedWorld(world, 'LEEN', ids, 1);
    const scope = scopeOf({ LEEN: ids });
    // Index everything first (the fill budget is not what is tested here).
    await walk(scope, { first: 500 });
    const first = await page(scope, { first: 10, filter: { status: ['ERROR'] } });
    expect(first.edges).toEqual([]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await page(scope, { first: 10, filter: { status: ['ERROR'] }, after: first.pageInfo.endCursor });
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('LIVE reads each organization on the page from its vendor and updates the index (changes become events)', async () => {
    const ids = orgIds('o', 3);
    seedWorld(world, 'LEEN', ids, 2);
    const scope = scopeOf({ LEEN: ids });
    await page(scope, { first: 100 });
    world.get('LEEN:o-00000')![0] = { ...world.get('LEEN:o-00000')![0]!, status: 'ERROR' };
    clock.advance(1000);
    const indexed = await page(scope, { first: 1 });
    expect(indexed.edges[0]!.node.status).toBe('ACTIVE');
    const live = await page(scope, { first: 1, freshness: 'LIVE' });
    expect(live.edges[0]!.node.status).toBe('ERROR');
    expect(live.edges[0]!.node.syncedAt).toBe(new Date(clock.now()).toISOString());
    const { events } = await store.readEvents('acme', { after: null, limit: 10 });
    expect(events.map((e) => [e.type, e.connectionKey])).toEqual([['STATUS_CHANGED', 'o-00000-k0']]);
  });

  it('refuses a bad page size or cursor before any vendor call', async () => {
    const scope = scopeOf({ LEEN: ['a'] });
    seedWorld(world, 'LEEN', ['a'], 2);
    for (const first of [0, -1, 501, 1.5])
      await expect(page(scope, { first })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    for (const after of ['nope', '', 'eyJ9', Buffer.from('[1,"c"]').toString('base64url'), 'x'.repeat(2000)])
      await expect(page(scope, { first: 1, after })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const mine = (await page(scope, { first: 1 })).pageInfo.endCursor!;
    const callsBefore = calls.length;
    await expect(page(scopeOf({ LEEN: ['a'] }, 'globex'), { first: 1, after: mine })).rejects.toMatchObject({
      message: expect.stringContaining("another tenant's cursor"),
    });
    const organizationCursor = pageOrganizations(scope, { first: 1 }).pageInfo.endCursor!;
    await expect(page(scope, { first: 1, after: organizationCursor })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(calls).toHaveLength(callsBefore);
  });
});

describe('pages of organizations', () => {
  it('walks the configured organizations in vendor and configuration order without reading them all', async () => {
    const calls: string[] = [];
    const world: World = new Map();
    const leen = fakeAdapter('LEEN', orgIds('l', 5000), world, calls);
    const userhub = fakeAdapter('USERHUB', orgIds('u', 3), world, calls);
    let read = 0;
    const counted = { ...leen, getOrganization: (id: string) => (read++, leen.getOrganization(id)) };
    const scope: TenantScope = {
      tenantId: 'acme',
      adapters: new Map<Vendor, VendorAdapter>([
        ['LEEN', counted],
        ['USERHUB', userhub],
      ]),
      reads: new ReadLedger(),
    };
    const first = pageOrganizations(scope, { first: 4 });
    expect(first.totalCount).toBe(5003);
    const ids = await Promise.all(first.edges.map(async (e) => (await e.node).externalId));
    expect(ids).toEqual(['l-00000', 'l-00001', 'l-00002', 'l-00003']);
    const second = pageOrganizations(scope, { first: 2, after: first.pageInfo.endCursor });
    expect(await Promise.all(second.edges.map(async (e) => (await e.node).externalId))).toEqual(['l-00004', 'l-00005']);
    expect(read).toBe(6);
    const seen: string[] = [];
    let after: string | null = null;
    for (let hasNextPage = true; hasNextPage;) {
      const next = pageOrganizations(scope, { first: 500, after });
      seen.push(...(await Promise.all(next.edges.map(async (e) => (await e.node).externalId))));
      [hasNextPage, after] = [next.pageInfo.hasNextPage, next.pageInfo.endCursor];
    }
    expect(seen).toHaveLength(5003);
    expect(new Set(seen).size).toBe(5003);
    expect(seen.slice(-4)).toEqual(['l-04999', 'u-00000', 'u-00001', 'u-00002']);
  });
});
