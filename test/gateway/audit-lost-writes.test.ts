import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * An audit entry the store does not keep is in the log line, and counted in /metrics, so an operator
 * can alert on a trail with holes: a write that fails (Redis refuses writes past the audit's command
 * timeout) is `failed`, one that finds too many writes in flight is `dropped`.
 */
describe('audit writes the store lost, in /metrics', { timeout: 60_000 }, () => {
  let redis: RunningRedis;
  let stack: TestStack;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    stack = await startStack({
      config: {
        cache: { redisUrl: redis.url, commandTimeoutMs: 300 },
        audit: { maxPending: 1, commandTimeoutMs: 300 },
      },
    });
  });
  afterAll(async () => {
    await admin?.quit();
    await stack?.close();
    await redis?.close();
  });

  const metrics = async () => (await fetch(new URL('/metrics', stack.gateway.url))).text();
  /** The value of one sample, 0 when the series does not exist yet. */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const lost = (reason: string) => `junction_audit_writes_lost_total{reason="${reason}"}`;

  it('counts a write Redis did not take as failed, and one past maxPending as dropped', async () => {
    const before = await metrics();
    expect(sample(before, lost('failed'))).toBe(0);
    expect(sample(before, lost('dropped'))).toBe(0);

    // Writes wait while Redis is paused for them: the first refusal's entry is in flight, the second finds no room.
    await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    try {
      for (let i = 0; i < 2; i++)
        expect((await stack.gql('{ __typename }', {}, { apiKey: 'jk_wrong' })).status).toBe(401);
      expect(sample(await metrics(), lost('dropped'))).toBe(1);

      // The write in flight fails once the audit's command timeout (300 ms) passes; asked until it shows.
      let failed = 0;
      const deadline = Date.now() + 8_000;
      while (failed === 0 && Date.now() < deadline) failed = sample(await metrics(), lost('failed'));
      expect(failed).toBe(1);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
  });
});
