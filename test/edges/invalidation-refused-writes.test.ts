import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/global-id.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * Two gateways on one real redis-server that serves reads but refuses writes
 * (maxmemory reached, noeviction). A's delete cannot store its invalidation:
 * A stops trusting its cached Leen reads at once, and retries the invalidation
 * in the background, so once Redis accepts writes again B stops serving the
 * deleted connection without A running another query.
 */

const ACME = LEEN_SEED[0]!;
const TARGET = ACME.connections[0]!.id;
const TARGET_ID = globalId(['Connection', 'LEEN', ACME.id, TARGET]);
const LIST = `query List($id: ID!) { organization(id: $id) { connections { id status } } }`;
const variables = {
  id: encodeGlobalId({ typename: 'Organization', vendor: 'LEEN', organizationId: ACME.id, keys: [] }),
};
const DELETE = `mutation ($input: DeleteConnectionInput!) { deleteConnection(input: $input) { userErrors { code } } }`;

type ListData = { organization: { connections: { id: string; status: string }[] } };

describe('invalidation while Redis refuses writes', () => {
  let redis: RunningRedis;
  let admin: Redis;
  let a: TestStack;
  let b: TestStack;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    const cache = { redisUrl: redis.url, commandTimeoutMs: 5_000 };
    a = await startStack({ config: { cache } });
    b = await startStack({ sharedSandbox: a.sandbox, config: { cache } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    admin.disconnect();
    await redis.close();
  });

  const statusOn = async (stack: TestStack) => {
    const { body } = await stack.gql<ListData>(LIST, variables);
    expect(body.errors).toBeUndefined();
    return body.data!.organization.connections.find((c) => c.id === TARGET_ID)?.status ?? 'GONE';
  };

  it('A refuses its cached reads at once; B catches up once Redis accepts writes, with no further query on A', async () => {
    expect(await statusOn(b)).toBe('ACTIVE');
    expect(await statusOn(a)).toBe('ACTIVE');
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    await expect(admin.set('junction:probe', 'x')).rejects.toThrow(/OOM/);

    const deleted = await a.gql(DELETE, { input: { connectionId: TARGET_ID } });
    expect(deleted.body.errors).toBeUndefined();
    // A does not trust its cached Leen reads while its invalidation is pending.
    expect(await statusOn(a)).not.toBe('ACTIVE');
    // B cannot know yet: it serves its cached read (bounded by that read's TTL).
    expect(await statusOn(b)).toBe('ACTIVE');

    await admin.config('SET', 'maxmemory', '0');
    // Only B asks from now on: A's background retry stores the invalidation.
    await expect.poll(() => statusOn(b), { timeout: 10_000, interval: 100 }).not.toBe('ACTIVE');
  });
});
