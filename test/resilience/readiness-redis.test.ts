import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR, metricValue, scrape } from './helpers.js';

/**
 * /readyz with Redis configured, against a real redis-server: ready while Redis
 * answers, 503 naming Redis while it is down (queries still answer: Redis
 * trouble is a cache miss), and Redis faults counted in junction_redis_errors_total.
 */
describe('readiness and Redis errors with a real Redis', () => {
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
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  };

  it('is ready while Redis answers, not ready (naming Redis) while it is down, and counts the Redis errors', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', ready: true, checks: { config: 'ok', redis: 'ok' } },
    });

    await redis.kill();
    await vi.waitFor(async () => expect((await readyz()).status).toBe(503), { timeout: 10_000, interval: 200 });
    expect((await readyz()).body.checks).toEqual({ config: 'ok', redis: 'unreachable' });
    // Queries still answer from the vendors.
    expect((await stack.gql(EVERY_VENDOR)).body.errors).toBeUndefined();
    const metrics = await scrape(stack);
    const redisErrors = metrics
      .split('\n')
      .filter((l) => l.startsWith('junction_redis_errors_total{'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(redisErrors).toBeGreaterThan(0);
    expect(metricValue(metrics, 'junction_redis_errors_total', { operation: 'get' })).toBeGreaterThan(0);

    await redis.restart();
    await vi.waitFor(async () => expect((await readyz()).status).toBe(200), { timeout: 15_000, interval: 200 });
  });
});
