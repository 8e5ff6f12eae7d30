import { createHash, randomBytes } from 'node:crypto';
import { PAGE_LIMITS } from '../src/domain/connection-pages.js';
import { encodeCursor } from '../src/domain/page-cursor.js';
import type { Vendor } from '../src/domain/models.js';
import type { Fixed, Scenario } from './drive.js';
import type { BenchProcess } from './processes.js';

/**
 * The page scenarios of `npm run bench` (issue 17): a page of 50 connections
 * from a tenant of 10,000 organizations and 100,000 connections (the sandbox's
 * `--scale 10000`, half Leen's, half UserHub's), served from the connection
 * index, cold and warm.
 *
 * Cold: every request starts at a part of the tenant no request has indexed
 * yet (a cursor a stride of organizations further on, over several tenants of
 * the same organizations, each with its own index), so each page indexes the
 * organizations it needs on demand. Warm: a fixed set of pages, read once
 * before each run.
 */

const PAGE_SIZE = 50;
const WARM_PAGES = 50;
const PAGE_QUERY = `query Page($after: String) {
  connections(first: ${PAGE_SIZE}, after: $after) {
    totalCount
    edges { cursor node { id externalId status vendorStatus syncedAt reauthorizeUrl provider { slug displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Organizations one cold page indexes: the first chunk of a page's walk (connection-pages.ts). */
export const COLD_PAGE_STRIDE = Math.ceil((PAGE_SIZE + 1) / PAGE_LIMITS.guessPerOrganization) + 1;

interface ScaleVendor {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly organizations: readonly { readonly id: string }[];
}

/** An organization of the scale tenant: its vendor, and its position in that vendor's configured list (as a cursor holds it). */
export interface PageOrganization {
  readonly vendor: Vendor;
  readonly id: string;
  readonly position: number;
}

/** The scale tenant's organizations in the order a walk visits them (vendor schema order: UserHub before Leen). */
export function pageOrganizations(vendors: {
  readonly userhub: ScaleVendor;
  readonly leen: ScaleVendor;
}): PageOrganization[] {
  return (['USERHUB', 'LEEN'] as const).flatMap((vendor) =>
    vendors[vendor === 'USERHUB' ? 'userhub' : 'leen'].organizations.map((o, position) => ({
      vendor,
      id: o.id,
      position,
    })),
  );
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The gateway config's tenants: `coldTenants` for cold pages and one warm one, each with every organization. */
export function pageTenants(
  vendors: { readonly userhub: ScaleVendor; readonly leen: ScaleVendor },
  coldTenants: number,
) {
  const tenant = (id: string) => {
    const apiKey = `jk_bench_pages_${randomBytes(12).toString('base64url')}`;
    return { id, apiKey, config: { id, apiKeySha256: [sha256(apiKey)], vendors } };
  };
  return {
    cold: Array.from({ length: coldTenants }, (_, i) => tenant(`bench-pages-cold-${i}`)),
    warm: tenant('bench-pages-warm'),
  };
}

export function pageScenarios(options: {
  readonly url: string;
  readonly server: BenchProcess;
  readonly organizations: readonly PageOrganization[];
  readonly tenants: ReturnType<typeof pageTenants>;
  readonly send: (scenario: Scenario, request: Fixed) => Promise<string>;
}): { scenarios: Scenario[]; coldPagesAvailable: () => number; coldPagesServed: () => number } {
  const { organizations, tenants } = options;
  const cursorAt = (tenantId: string, at: number) => {
    const organization = organizations[at]!;
    return encodeCursor('connections', tenantId, {
      vendor: organization.vendor,
      organizationId: organization.id,
      organizationPosition: organization.position,
      key: null,
    });
  };
  const body = (after: string) => JSON.stringify({ query: PAGE_QUERY, variables: { after } });
  const auth = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });
  const check = (text: string) => !text.includes('"errors"') && text.includes('"edges":[{');

  const pagesPerTenant = Math.floor((organizations.length - 1) / COLD_PAGE_STRIDE);
  let cold = 0;
  const warmPositions = Array.from({ length: WARM_PAGES }, (_, i) =>
    Math.floor((i * organizations.length) / WARM_PAGES),
  );
  let warm = 0;
  const headers = { 'content-type': 'application/json' };
  const base = { url: options.url, server: options.server, method: 'POST' as const, headers, check };
  const warmScenario: Scenario = {
    ...base,
    key: 'pageWarmIndex',
    label: `page of ${PAGE_SIZE} connections, ${organizations.length.toLocaleString('en')}-organization tenant, warm index`,
    floor: 'floorList',
    request: () => {
      const position = warmPositions[warm++ % WARM_PAGES]!;
      return { body: body(cursorAt(tenants.warm.id, position)), headers: auth(tenants.warm.apiKey) };
    },
    prepare: async () => {
      for (const position of warmPositions)
        await options.send(warmScenario, {
          body: body(cursorAt(tenants.warm.id, position)),
          headers: auth(tenants.warm.apiKey),
        });
    },
  };
  const coldScenario: Scenario = {
    ...base,
    key: 'pageColdIndex',
    label: `page of ${PAGE_SIZE} connections, ${organizations.length.toLocaleString('en')}-organization tenant, cold index (${COLD_PAGE_STRIDE} organizations indexed per page)`,
    // The nearest floor: several concurrent vendor calls merged into one answer.
    floor: 'floorDashboard',
    request: () => {
      const n = cold++;
      const tenant = tenants.cold[Math.floor(n / pagesPerTenant) % tenants.cold.length]!;
      const position = (n % pagesPerTenant) * COLD_PAGE_STRIDE;
      return { body: body(cursorAt(tenant.id, position)), headers: auth(tenant.apiKey) };
    },
  };
  return {
    scenarios: [coldScenario, warmScenario],
    coldPagesAvailable: () => pagesPerTenant * tenants.cold.length,
    coldPagesServed: () => cold,
  };
}
