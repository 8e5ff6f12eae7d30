import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR, metricValue, scrape } from './helpers.js';

/**
 * /readyz with Redis configured, against a real redis-server that is killed:
 * "ready" means "can serve", and a gateway without its cache still serves, so
 * it stays 200 and reports the degradation in the body and in
 * junction_dependency_degraded (a shared Redis going down must not take every
 * instance out of the load balancer). Redis faults are counted in
 * junction_redis_errors_total. Draining for shutdown is what makes it 503.
 */
describe('readiness with a real Redis that goes down', () => {
  let redis: RunningRedis;
  let stack: TestStack;
  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ config: { cache: { redisUrl: redis.url, commandTimeoutMs: 300 } } });
  });
  afterAll(async () => {
    await stack.close();
    await redis.close();
  });

  const readyz = async () => {
    const res = await fetch(new URL('/readyz', stack.gateway.url));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const degradedGauge = async () =>
    metricValue(await scrape(stack), 'junction_dependency_degraded', { dependency: 'redis' });

  it('stays ready with Redis down, naming the degradation in the body and the gauge, and recovers', async () => {
    // The first ping may still be connecting on a loaded machine: wait for the healthy state, then break it.
    await vi.waitFor(
      async () =>
        expect(await readyz()).toEqual({
          status: 200,
          body: { status: 'ready', ready: true, checks: { config: 'ok', redis: 'ok' } },
        }),
      { timeout: 10_000, interval: 100 },
    );
    expect(await degradedGauge()).toBe(0);

    await redis.kill();
    await vi.waitFor(async () => expect((await readyz()).body.degraded).toEqual(['redis']), {
      timeout: 10_000,
      interval: 200,
    });
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', ready: true, checks: { config: 'ok', redis: 'unreachable' }, degraded: ['redis'] },
    });
    expect(await degradedGauge()).toBe(1);
    // It can serve: queries still answer from the vendors.
    const answer = await stack.gql(EVERY_VENDOR);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const metrics = await scrape(stack);
    expect(
      metricValue(metrics, 'junction_redis_errors_total', { operation: 'get', reason: 'unavailable' }),
    ).toBeGreaterThan(0);

    await redis.restart();
    await vi.waitFor(async () => expect((await readyz()).body.checks).toEqual({ config: 'ok', redis: 'ok' }), {
      timeout: 15_000,
      interval: 200,
    });
    expect((await readyz()).body.degraded).toBeUndefined();
    expect(await degradedGauge()).toBe(0);
  });
});
