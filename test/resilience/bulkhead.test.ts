import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, newApiKey, startStack, type TestStack } from '../helpers/stack.js';
import { metricValue, scrape } from './helpers.js';

/**
 * The bulkhead: per vendor a cap on calls in flight, and within it per tenant
 * a share and a bounded queue. Tenant acme's Leen calls hang (its organization's
 * routes never answer); tenant beta's Leen read of another organization is
 * answered while they still hang, and acme's call beyond its queue is refused
 * at once with UPSTREAM_UNAVAILABLE and retryAfter, without reaching Leen.
 */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const betaKey = newApiKey('beta');
const stack: TestStack = await startStack({
  config: {
    upstream: {
      // The hung calls stay hung for the whole test: only the bulkhead can keep beta's read moving.
      timeoutMs: 120_000,
      retry: { maxAttempts: 1 },
      maxConcurrencyPerVendor: 3,
      maxConcurrencyPerTenant: 2,
      maxQueuedPerTenant: 1,
    },
  },
  extraTenants: (sandbox) => [demoTenantConfig(sandbox, 'beta', betaKey)],
});

const CONNECTION = /* GraphQL */ `
  query ($id: ID!) {
    connection(id: $id) {
      id
    }
  }
`;
const LIST = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      connections {
        id
      }
    }
  }
`;

describe('bulkhead per tenant and vendor', () => {
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it("one tenant's hung Leen calls do not hold another tenant's Leen read; its call past the queue is refused at once", async () => {
    const leen = stack.sandbox.get('LEEN');
    leen.addFault({ pathPrefix: `/provisioning/organizations/${ACME.id}`, kind: 'hang' });

    // Three distinct reads (no single flight between them): two take acme's share, the third waits in its queue.
    const settled: string[] = [];
    for (const c of ACME.connections.slice(0, 3)) {
      // Settled only when the gateway closes (afterAll) and cuts them; a rejection then is expected, not an error.
      const done = () => void settled.push(c.id);
      void stack.gql(CONNECTION, { id: globalId(['Connection', 'LEEN', ACME.id, c.id]) }).then(done, done);
    }
    await vi.waitFor(() => expect(leen.stats().total).toBe(2), { timeout: 10_000 });

    // A fourth: the queue is full, so it is refused without waiting and without a call to Leen.
    const refused = await stack.gql(LIST, { id: globalId(['Organization', 'LEEN', ACME.id]) });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      vendor: 'LEEN',
      retryAfter: 1,
    });
    expect(
      metricValue(await scrape(stack), 'junction_upstream_bulkhead_rejections_total', {
        vendor: 'LEEN',
        tenant: 'acme',
      }),
    ).toBe(1);

    // Beta's read of a healthy organization is answered while acme's calls still hang.
    const beta = await stack.gql<{ organization: { connections: { id: string }[] } }>(
      LIST,
      { id: globalId(['Organization', 'LEEN', GLOBEX.id]) },
      { apiKey: betaKey },
    );
    expect(beta.body.errors).toBeUndefined();
    expect(beta.body.data!.organization.connections).toHaveLength(GLOBEX.connections.length);
    expect(settled).toEqual([]);
    expect(leen.stats().total).toBe(3); // acme's two hung calls and beta's read: the queued one never reached Leen
  });
});
