import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR, errorsOf, healthyRowsOf, type EveryVendorResult } from '../resilience/helpers.js';

/**
 * The request deadline (upstream.requestDeadlineMs): a hung vendor costs one
 * request at most the deadline, not maxAttempts whole timeouts. No retry starts
 * that could not finish in the time left; the hung vendor's fields answer
 * UPSTREAM_TIMEOUT and the other vendors' data is returned.
 */

const upstream = (timeoutMs: number, requestDeadlineMs: number) => ({
  timeoutMs,
  requestDeadlineMs,
  retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1500 },
  breaker: { failureThreshold: 10_000, halfOpenAfterMs: 60_000 },
});

describe('the request deadline', () => {
  const stacks: TestStack[] = [];
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
  });
  const stackWith = async (timeoutMs: number, deadlineMs: number) => {
    const stack = await startStack({ config: { upstream: upstream(timeoutMs, deadlineMs) } });
    stacks.push(stack);
    return stack;
  };
  const expectLeenTimedOut = (result: EveryVendorResult) => {
    expect(result.status).toBe(200);
    const leen = errorsOf(result, 'LEEN');
    expect(leen.length).toBeGreaterThan(0);
    for (const error of leen) expect(error.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(result.body.errors!.filter((e) => e.extensions?.vendor !== 'LEEN')).toEqual([]);
    expect(healthyRowsOf(result, 'LEEN').length).toBeGreaterThan(0);
  };

  it('no retry starts without a whole attempt left: a hung vendor is tried once, not three times', async () => {
    // An attempt may take 1 s; after the first hangs, 0.6 s of the 1.6 s deadline are left: too little for another.
    const stack = await stackWith(1_000, 1_600);
    stack.sandbox.get('LEEN').addFault({ method: 'GET', kind: 'hang' });
    const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    expectLeenTimedOut(result);
    for (const count of Object.values(stack.sandbox.get('LEEN').stats().byPath)) expect(count).toBe(1);
  });

  it('an attempt is cut at the deadline even when its own timeout is longer', async () => {
    // Without the deadline, three hung attempts of 20 s each.
    const stack = await stackWith(20_000, 1_000);
    stack.sandbox.get('LEEN').addFault({ method: 'GET', kind: 'hang' });
    const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    expectLeenTimedOut(result);
    for (const count of Object.values(stack.sandbox.get('LEEN').stats().byPath)) expect(count).toBe(1);
  });

  it('quick failures are still retried while time is left', async () => {
    const stack = await stackWith(2_000, 8_000);
    stack.sandbox.get('LEEN').addFault({ method: 'GET', status: 503, body: { error: 'down' } });
    const result = (await stack.gql(EVERY_VENDOR)) as EveryVendorResult;
    for (const error of errorsOf(result, 'LEEN')) expect(error.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    for (const count of Object.values(stack.sandbox.get('LEEN').stats().byPath)) expect(count).toBe(3);
  });

  it('defaults to 8 s, set by REQUEST_DEADLINE_MS', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    expect(loadConfig({}).upstream.requestDeadlineMs).toBe(8_000);
    expect(loadConfig({ REQUEST_DEADLINE_MS: '3000' }).upstream.requestDeadlineMs).toBe(3_000);
  });
});
