import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { newApiKey, startStack, type GraphQLResult, type TestStack } from '../helpers/stack.js';

/**
 * Two gateways on one real redis-server share their rate limits: points spent
 * through one are gone through the other, and the limit reached on one is a
 * 429 on the other. Then Redis is killed mid-run: no request is refused for it,
 * the answers still carry their fields, and each fallback is counted.
 */

const SHARED = newApiKey('shared');
const STEADY = newApiKey('steady');

let redis: RunningRedis;
let sandbox: RunningSandbox;
let one: TestStack;
let two: TestStack;

beforeAll(async () => {
  redis = await startRedis();
  sandbox = await startSandbox();
  const start = () =>
    startStack({
      sharedSandbox: sandbox,
      config: {
        // Not a test of the timeout: a loaded machine's slow command must not fall back to memory mid-count.
        cache: { redisUrl: redis.url, faultLogIntervalMs: 0, commandTimeoutMs: 1000 },
        rateLimits: {
          enabled: true,
          keyRequests: { points: 4, windowSeconds: 120 },
          tenantRequests: false,
          keyCost: false,
          tenantCost: false,
        },
      },
      extraTenants: (s) => [
        demoTenantConfig(s, 'shared', SHARED),
        { ...demoTenantConfig(s, 'steady', STEADY), rateLimits: { keyRequests: { points: 1000, windowSeconds: 60 } } },
      ],
    });
  [one, two] = await Promise.all([start(), start()]);
});
afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
  await sandbox?.close();
  await redis?.close();
});

const remainingOf = (answer: GraphQLResult) =>
  Number(/"key-requests";r=(\d+)/.exec(answer.headers.get('ratelimit') ?? '')?.[1]);

describe('rate limits shared through Redis', () => {
  it('counts a key once across both instances: the limit reached through one refuses through the other', async () => {
    const answers: GraphQLResult[] = [];
    for (const gateway of [one, two, one, two, two, one])
      answers.push(await gateway.gql('{ __typename }', undefined, { apiKey: SHARED }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.slice(0, 4).map(remainingOf)).toEqual([3, 2, 1, 0]);
    for (const answer of answers) expect(answer.headers.get('ratelimit-policy')).toBe('"key-requests";q=4;w=120');
    for (const refused of answers.slice(4)) {
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(120);
    }
  });

  it('never refuses a request because Redis died: each instance counts in memory, and says so in its metrics', async () => {
    const before = await one.gql('{ __typename }', undefined, { apiKey: STEADY });
    expect(remainingOf(before)).toBe(999);
    await redis.kill();
    const answers: GraphQLResult[] = [];
    for (let i = 0; i < 10; i++)
      answers.push(await (i % 2 ? two : one).gql('{ __typename }', undefined, { apiKey: STEADY }));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    for (const answer of answers) {
      expect(answer.headers.get('ratelimit-policy')).toBe('"key-requests";q=1000;w=60');
      expect(remainingOf(answer)).toBeGreaterThan(990);
    }
    for (const gateway of [one, two]) {
      const metrics = await (await fetch(gateway.gateway.url.replace('/graphql', '/metrics'))).text();
      const failures = Number(/^junction_rate_limit_store_failures_total (\d+)/m.exec(metrics)?.[1] ?? 0);
      expect(failures).toBeGreaterThanOrEqual(5);
    }
    // The key over its limit is still refused by the instance's own count while Redis is away.
    const shared: number[] = [];
    for (let i = 0; i < 5; i++) shared.push((await one.gql('{ __typename }', undefined, { apiKey: SHARED })).status);
    expect(shared).toEqual([200, 200, 200, 200, 429]);
    await redis.restart();
  });
});
