import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { generateLeenSeed, type LeenSeedOrganization } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock } from '../helpers/clock.js';
import { startRedis, startRedisCluster, type RunningRedis, type RunningRedisCluster } from '../helpers/redis.js';
import { newApiKey, sha256, startStack, type GraphQLResult, type TestStack } from '../helpers/stack.js';

/**
 * Pages of connections and organizations over HTTP, served from the connection
 * index, with the index in memory, on a redis-server and on a Redis Cluster:
 * a walk sees every connection that exists from its first page to its last
 * exactly once while connections are added and removed at the Leen simulator
 * between pages (the background sync, driven by syncNow, refreshing the index);
 * cursors of another tenant, malformed ones and bad page sizes are refused
 * before any vendor call.
 */

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

const PAGE = /* GraphQL */ `
  query ($first: Int, $after: String, $filter: ConnectionFilter, $freshness: Freshness) {
    connections(first: $first, after: $after, filter: $filter, freshness: $freshness) {
      totalCount
      edges {
        cursor
        node {
          externalId
          status
          syncedAt
          reauthorizeUrl
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      vendorErrors {
        code
      }
    }
  }
`;

interface PageResult {
  connections: {
    totalCount: number;
    edges: {
      cursor: string;
      node: { externalId: string; status: string; syncedAt: string; reauthorizeUrl: string | null };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    vendorErrors: { code: string }[];
  };
}

const ORGANIZATIONS = 12;
const PER_ORGANIZATION = 4;

const variants = [
  { name: 'memory', store: 'memory' },
  { name: 'a redis-server', store: 'redis' },
  { name: 'a Redis Cluster', store: 'cluster' },
] as const;

describe.each(variants)('pages from the connection index in $name', ({ store }) => {
  const seed = generateLeenSeed(ORGANIZATIONS, PER_ORGANIZATION) as Mutable<LeenSeedOrganization[]>;
  const clock = manualClock();
  const keys = { acme: newApiKey('acme'), globex: newApiKey('globex') };
  let sandbox: RunningSandbox;
  let redis: RunningRedis | undefined;
  let cluster: RunningRedisCluster | undefined;
  let stack: TestStack;

  const tenant = (id: keyof typeof keys) => ({
    id,
    apiKeySha256: [sha256(keys[id])],
    vendors: {
      leen: {
        baseUrl: sandbox.get('LEEN').url,
        apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
        organizations: seed.map((o) => ({ id: o.id, displayName: o.name })),
      },
    },
  });
  const page = (variables: Record<string, unknown>, as: keyof typeof keys = 'acme') =>
    stack.gql<PageResult>(PAGE, variables, { apiKey: keys[as] });
  /** Every unit due again, and cached listings expired: the next syncNow lists every organization. */
  const syncAll = async () => {
    clock.advance(61_000);
    await stack.gateway.syncNow();
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ leen: { seed } });
    if (store === 'redis') redis = await startRedis();
    if (store === 'cluster') cluster = await startRedisCluster();
    const cache =
      store === 'memory'
        ? {}
        : // Redis' TTLs run on Redis' clock, not the test's: reads are not cached there.
          {
            enabled: false,
            commandTimeoutMs: 2000,
            ...(redis ? { redisUrl: redis.url } : { redisClusterNodes: cluster!.nodes }),
          };
    stack = await startStack({
      sharedSandbox: sandbox,
      config: { tenants: [tenant('acme'), tenant('globex')], cache, sync: { enabled: true } },
      start: { now: clock.now, backgroundSync: 'manual' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([sandbox?.close(), redis?.close(), cluster?.close()]);
  });
  beforeEach(() => sandbox.get('LEEN').reset());

  it('walks every connection once while connections are added and removed at the vendor between pages', async () => {
    const present = new Set(seed.flatMap((o) => o.connections.map((c) => c.id)));
    const removed = new Set<string>();
    const added = new Set<string>();
    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 100; n++) {
      const { body } = await page({ first: 7, after });
      expect(body.errors).toBeUndefined();
      const { edges, pageInfo, vendorErrors } = body.data!.connections;
      expect(vendorErrors).toEqual([]);
      seen.push(...edges.map((e) => e.node.externalId));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
      // At the vendor: every third organization loses its first connection and gains one.
      for (const [i, org] of seed.entries()) {
        if (i % 3 !== n % 3) continue;
        const gone = org.connections.shift();
        if (gone) removed.add(gone.id);
        const id = `${org.id.slice(0, 24)}${(0xa000 + n * 100 + i).toString(16).padStart(12, '0')}`;
        org.connections.push({ id, vendor: 'WIZ', state: 'PENDING', identifier: null, health: 'INITIALIZING' });
        added.add(id);
      }
      sandbox.get('LEEN').reset();
      await syncAll();
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of present) if (!removed.has(id)) expect(seen).toContain(id);
    for (const id of seen) expect(present.has(id) || added.has(id)).toBe(true);
    expect(added.size).toBeGreaterThan(0);
    expect([...added].some((id) => seen.includes(id))).toBe(true);
  });

  it('serves nodes with the time their organization was synced, and counts the index for totalCount', async () => {
    await syncAll();
    const syncedAt = new Date(clock.now()).toISOString();
    sandbox.get('LEEN').reset();
    const { body } = await page({ first: 3 });
    const { edges, totalCount, pageInfo } = body.data!.connections;
    expect(edges.map((e) => e.node.syncedAt)).toEqual([syncedAt, syncedAt, syncedAt]);
    expect(totalCount).toBe(seed.reduce((n, o) => n + o.connections.length, 0));
    expect(pageInfo).toEqual({ hasNextPage: true, endCursor: edges[2]!.cursor });
    // A page of PENDING ones: Leen offers each an authorize URL.
    const pending = await page({ first: 2, filter: { status: ['PENDING'] } });
    expect(pending.body.data!.connections.edges.map((e) => e.node.reauthorizeUrl)).toEqual([
      expect.stringMatching(/^https:\/\/app\.leen\.example\/oauth2\/authorize\?connection_id=/),
      expect.stringMatching(/^https:\/\/app\.leen\.example\/oauth2\/authorize\?connection_id=/),
    ]);
    expect(sandbox.get('LEEN').stats().total).toBe(0);
  });

  it('refuses bad page sizes, malformed cursors and cursors of another tenant before any vendor call', async () => {
    const { body: mine } = await page({ first: 2 });
    const cursor = mine.data!.connections.pageInfo.endCursor!;
    sandbox.get('LEEN').reset();
    const refusals = [
      await page({ first: 0 }),
      await page({ first: 501 }),
      await page({ first: 2, after: 'not-a-cursor' }),
      await page({ first: 2, after: cursor.slice(0, -4) }),
      await page({ first: 2, after: cursor }, 'globex'),
    ];
    for (const { body } of refusals) {
      expect(body.data).toBeNull();
      expect(body.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
    }
    expect(refusals[4]!.body.errors![0]!.message).toMatch(/another tenant's cursor/);
    expect(sandbox.get('LEEN').stats().total).toBe(0);
  });

  it('pages organizations in configuration order with the configured total', async () => {
    const query = `query ($after: String) { organizationPage(first: 5, after: $after) {
      totalCount nodes { externalId displayName } pageInfo { hasNextPage endCursor } } }`;
    const seenIds: string[] = [];
    type OrganizationPage = {
      organizationPage: {
        totalCount: number;
        nodes: { externalId: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    let after: string | null = null;
    for (let n = 0; n < 10; n++) {
      const result: GraphQLResult<OrganizationPage> = await stack.gql(query, { after }, { apiKey: keys.acme });
      expect(result.body.errors).toBeUndefined();
      const { totalCount, nodes, pageInfo } = result.body.data!.organizationPage;
      expect(totalCount).toBe(ORGANIZATIONS);
      seenIds.push(...nodes.map((o) => o.externalId));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seenIds).toEqual(seed.map((o) => o.id));
  });
});
