import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { manualClock } from '../helpers/clock.js';
import { newApiKey, startStack, type TestStack } from '../helpers/stack.js';
import { errorsOf, EVERY_VENDOR, metricValue, scrape, vendorsOf } from './helpers.js';

/**
 * The circuit breaker, per vendor and tenant: consecutive failures open it (the
 * vendor is then not called at all), an open breaker lets one trial call
 * through after halfOpenAfterMs, a failed trial re-opens it, a successful one
 * closes it. Another tenant's breaker for the same vendor is unaffected.
 * The gateway's breakers go by a clock the test moves: no waiting.
 */

const HALF_OPEN_AFTER_MS = 30_000;
const clock = manualClock();
const betaKey = newApiKey('beta');
const stack: TestStack = await startStack({
  start: { now: clock.now },
  config: {
    upstream: {
      timeoutMs: 3000, // no hangs here: only 503s, which must never be mistaken for timeouts under load
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 2, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
    },
  },
  extraTenants: (sandbox) => [demoTenantConfig(sandbox, 'beta', betaKey)],
});
const vendors: Vendor[] = vendorsOf(stack);

describe('circuit breaker per vendor and tenant', () => {
  beforeAll(async () => {
    // Warm up (first-query compilation), so the timed steps below are short.
    expect((await stack.gql(EVERY_VENDOR)).body.errors).toBeUndefined();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const breakerState = async (vendor: Vendor, tenant: string) =>
    metricValue(await scrape(stack), 'junction_upstream_breaker_state', { vendor, tenant });

  it.each(vendors)('at %s: opens after consecutive failures, half-opens, re-opens, then closes', async (vendor) => {
    const simulator = stack.sandbox.get(vendor);
    simulator.addFault({ status: 503 });

    // Failing calls, until the breaker opens: at most threshold (2) failed calls, so at most two queries.
    for (let i = 0; i < 2 && (await breakerState(vendor, 'acme')) !== 2; i++) {
      const failing = await stack.gql(EVERY_VENDOR);
      expect(errorsOf(failing, vendor)[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', vendor });
    }
    expect(await breakerState(vendor, 'acme')).toBe(2);

    // Open: the vendor is not called at all; the client gets UPSTREAM_UNAVAILABLE with a retryAfter.
    const callsBefore = simulator.stats().total;
    const refused = await stack.gql(EVERY_VENDOR);
    expect(simulator.stats().total).toBe(callsBefore);
    expect(errorsOf(refused, vendor).length).toBeGreaterThan(0);
    for (const error of errorsOf(refused, vendor)) {
      expect(error.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        vendor,
        retryAfter: HALF_OPEN_AFTER_MS / 1000,
      });
    }
    expect(
      metricValue(await scrape(stack), 'junction_upstream_breaker_rejections_total', { vendor, tenant: 'acme' }),
    ).toBeGreaterThan(0);

    // Another tenant's breaker for the same vendor is still closed: its calls reach the vendor.
    const beta = await stack.gql(EVERY_VENDOR, undefined, { apiKey: betaKey });
    expect(errorsOf(beta, vendor)[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', vendor, status: 503 });
    expect(simulator.stats().total).toBeGreaterThan(callsBefore);

    // A moment before halfOpenAfterMs it still refuses every call.
    clock.advance(HALF_OPEN_AFTER_MS - 1);
    const stillOpenCalls = simulator.stats().total;
    expect(errorsOf(await stack.gql(EVERY_VENDOR), vendor)[0]?.extensions).toMatchObject({ retryAfter: 30 });
    expect(simulator.stats().total).toBe(stillOpenCalls);

    // At halfOpenAfterMs one trial call goes through; it fails, so the breaker opens again.
    clock.advance(1);
    const trialCallsBefore = simulator.stats().total;
    await stack.gql(EVERY_VENDOR);
    expect(simulator.stats().total).toBe(trialCallsBefore + 1);
    expect(await breakerState(vendor, 'acme')).toBe(2);
    await stack.gql(EVERY_VENDOR);
    expect(simulator.stats().total).toBe(trialCallsBefore + 1);

    // The vendor recovers: the next trial call, halfOpenAfterMs after the failed one, succeeds and closes the
    // breaker; answers are whole again.
    simulator.clearFaults();
    clock.advance(HALF_OPEN_AFTER_MS);
    const healthy = await stack.gql(EVERY_VENDOR);
    expect(healthy.body.errors).toBeUndefined();
    expect(await breakerState(vendor, 'acme')).toBe(0);
  });
});
