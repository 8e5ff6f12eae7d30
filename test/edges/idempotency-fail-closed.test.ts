import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * A mutation that carries an idempotency key must not run unguarded: when the
 * key store (a real redis-server here) cannot be reached, it fails closed with
 * the retryable IDEMPOTENCY_UNAVAILABLE and calls no vendor. Unkeyed mutations
 * run as before, and the in-memory store keeps working.
 */

const SHARE = globalId(['Connection', 'SUPERVITY', 'org_acme', 'google-workspace:jane.doe@acme.com']);
const USERHUB_CONNECTION = globalId(['Connection', 'USERHUB', 'org_28seyVGVL1got6', 'conn_4HdRKnTvPmmjYK']);

const UPDATE_SHARING = /* GraphQL */ `
  mutation ($input: UpdateSharingInput!) {
    updateSharing(input: $input) {
      connection {
        sharedTeamKeys
      }
      userErrors {
        code
      }
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation ($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      connection {
        status
      }
      userErrors {
        code
      }
    }
  }
`;
const PATCH_ROUTE = 'PATCH /api/v1/integrations/accounts/{accountId}/sharing';
const DISCONNECT_ROUTE = 'POST /admin/v1/organizations/{organizationId}:disconnect';

describe('keyed mutations with the key store down', () => {
  let redis: RunningRedis;
  let stack: TestStack;
  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ config: { cache: { redisUrl: redis.url, commandTimeoutMs: 1_000 } } });
  });
  afterAll(async () => {
    await stack.close();
    await redis.close();
  });
  beforeEach(() => stack.sandbox.reset());

  const patches = () => stack.sandbox.get('SUPERVITY').stats().byRoute[PATCH_ROUTE] ?? 0;

  it('fail closed: IDEMPOTENCY_UNAVAILABLE with retryAfter, zero vendor calls; unkeyed runs; keyed works again once Redis is back', async () => {
    // Connected and working first.
    const warm = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: SHARE, teamKeys: ['warm'], idempotencyKey: `w-${randomUUID()}` },
    });
    expect(warm.body.data).toMatchObject({ updateSharing: { userErrors: [] } });
    stack.sandbox.reset();

    await redis.kill();
    const key = `k-${randomUUID()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const keyed = await stack.gql(UPDATE_SHARING, {
        input: { connectionId: SHARE, teamKeys: ['sales'], idempotencyKey: key },
      });
      expect(keyed.body.data).toBeNull();
      expect(keyed.body.errors?.[0]?.extensions).toMatchObject({
        code: 'IDEMPOTENCY_UNAVAILABLE',
        retryAfter: expect.any(Number),
      });
    }
    // The Idempotency-Key header and an irreversible UserHub call: refused the same way.
    const header = await stack.gql(
      DELETE,
      { input: { connectionId: USERHUB_CONNECTION } },
      { headers: { 'idempotency-key': `h-${randomUUID()}` } },
    );
    expect(header.body.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_UNAVAILABLE');
    expect(stack.sandbox.totalRequests()).toBe(0);

    // Unkeyed: runs as before, straight from the vendor.
    const unkeyed = await stack.gql(UPDATE_SHARING, { input: { connectionId: SHARE, teamKeys: ['unkeyed'] } });
    expect(unkeyed.body.data).toEqual({
      updateSharing: { connection: { sharedTeamKeys: ['unkeyed'] }, userErrors: [] },
    });
    expect(patches()).toBe(1);
    expect(stack.sandbox.get('USERHUB').stats().byRoute[DISCONNECT_ROUTE]).toBeUndefined();

    // Redis back (empty): the same key runs once, and its retry is a replay.
    await redis.restart();
    await vi.waitFor(
      async () => {
        const probe = await stack.gql(DELETE, {
          input: { connectionId: USERHUB_CONNECTION, dryRun: true, idempotencyKey: `p-${randomUUID()}` },
        });
        expect(probe.body.errors).toBeUndefined();
      },
      { timeout: 15_000, interval: 100 },
    );
    stack.sandbox.reset();
    const first = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: SHARE, teamKeys: ['sales'], idempotencyKey: key },
    });
    const retry = await stack.gql(UPDATE_SHARING, {
      input: { connectionId: SHARE, teamKeys: ['sales'], idempotencyKey: key },
    });
    expect(first.body.data).toEqual({ updateSharing: { connection: { sharedTeamKeys: ['sales'] }, userErrors: [] } });
    expect(retry.body).toEqual(first.body);
    expect(patches()).toBe(1);
  });
});

describe('keyed mutations on the in-memory store', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('keep working: a retry is a replay, one PATCH', async () => {
    const input = { connectionId: SHARE, teamKeys: ['memory'], idempotencyKey: `m-${randomUUID()}` };
    const first = await stack.gql(UPDATE_SHARING, { input });
    const retry = await stack.gql(UPDATE_SHARING, { input });
    expect(first.body.data).toEqual({ updateSharing: { connection: { sharedTeamKeys: ['memory'] }, userErrors: [] } });
    expect(retry.body).toEqual(first.body);
    expect(stack.sandbox.get('SUPERVITY').stats().byRoute[PATCH_ROUTE]).toBe(1);
  });
});
