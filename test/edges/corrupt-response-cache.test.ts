import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisCache } from '../../src/cache/redis-cache.js';
import { encodeGlobalId } from '../../src/domain/global-id.js';
import { createLogger } from '../../src/observability/logger.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { eventually } from '../cache/dashboard.js';

/**
 * A whole-answer record in Redis that does not parse (fields missing, `null`,
 * no head at all) is a miss: the query runs, the record is overwritten with the
 * fresh answer and the corruption is counted. Never a 500.
 */

const ACME = LEEN_SEED[0]!;
const LIST = `query List($id: ID!) { organization(id: $id) { connections { id status } } }`;
const variables = {
  id: encodeGlobalId({ typename: 'Organization', vendor: 'LEEN', organizationId: ACME.id, keys: [] }),
};

describe('a corrupt response-cache record', () => {
  let redis: RunningRedis;
  let client: Redis;
  let stack: TestStack;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    stack = await startStack({ config: { cache: { redisUrl: redis.url, commandTimeoutMs: 5_000 } } });
  });
  afterAll(async () => {
    await stack.close();
    client.disconnect();
    await redis.close();
  });
  beforeEach(async () => {
    // Through a store: its clear() also empties every instance's near cache (a bare FLUSHALL is not announced).
    const admin = createRedisCache({ url: redis.url, commandTimeoutMs: 5_000, logger: createLogger('silent') });
    try {
      await eventually('the admin store to connect', () => admin.deleteMany(['junction:{acme}:probe']));
      await admin.clear();
    } finally {
      await admin.close();
    }
    stack.sandbox.reset();
  });

  const responseKeys = async () => (await client.scan('0', 'MATCH', 'junction:{acme}:*:response:*', 'COUNT', 1000))[1];
  const corruptCount = async () => {
    const text = await (await fetch(new URL('/metrics', stack.gateway.url))).text();
    return Number(/^junction_response_cache_total\{result="corrupt"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  it.each([
    ['a null head', 'null\n{"data":{}}'],
    ['null', 'null'],
    ['the current format without generations', '{"format":2,"status":200,"headers":[],"operationName":"List"}\n{}'],
    ['the current format without headers', '{"format":2,"generations":{},"status":200,"operationName":"List"}\n{}'],
    ['a head that is not JSON', '{"format":2,\n{}'],
  ])('%s is a miss, counted and overwritten; the next repeat is a hit', async (_case, corrupt) => {
    // The sweep before each case reaches the gateway's near cache a moment after clear() returns (the sweeping
    // store keeps nothing near, so it has no echo to wait for): until then an answer built on a generation the
    // sweep removed is served but not stored, so the first answer is asked for again until one is stored.
    let first = await stack.gql(LIST, variables);
    await eventually('an answer to be stored', async () => {
      if ((await responseKeys()).length > 0) return true;
      first = await stack.gql(LIST, variables);
      return false;
    });
    expect(first.status).toBe(200);
    const [key] = await responseKeys();
    expect(key).toBeDefined();
    // Written as another instance (an older release) would: announced, so the gateway forgets its own copy.
    const writer = createRedisCache({ url: redis.url, commandTimeoutMs: 5_000, logger: createLogger('silent') });
    try {
      await eventually('the writer to store the record', () =>
        writer.setMany([{ key: key!, value: corrupt, ttlSeconds: 60 }]),
      );
    } finally {
      await writer.close();
    }
    const before = await corruptCount();

    const repeat = await stack.gql(LIST, variables);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect(await corruptCount()).toBe(before + 1);
    const rewritten = await client.get(key!);
    expect(rewritten).not.toBe(corrupt);
    expect(JSON.parse(rewritten!.slice(0, rewritten!.indexOf('\n')))).toMatchObject({ format: 2, status: 200 });

    const calls = stack.sandbox.get('LEEN').stats().total;
    const hit = await stack.gql(LIST, variables);
    expect(hit.body).toEqual(first.body);
    expect(stack.sandbox.get('LEEN').stats().total).toBe(calls);
    expect(await corruptCount()).toBe(before + 1);
  });
});
