import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';
import { sseSubscribe, wsConnect } from '../helpers/subscriptions.js';

/**
 * Starting a subscription spends from the rate limits as a POST /graphql does
 * (one request, and the operation's cost): past the key's requests, SSE answers
 * 429 RATE_LIMITED with Retry-After and WebSocket an `error` message, and no
 * subscription starts.
 */

const SUBSCRIPTION = 'subscription { connectionEvents { id } }';

describe('rate limits on starting a subscription', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      config: {
        rateLimits: {
          enabled: true,
          keyRequests: { points: 2, windowSeconds: 60 },
          tenantRequests: false,
          keyCost: false,
          tenantCost: false,
          vendorCalls: false,
        },
      },
    });
  });
  afterAll(() => stack.close());

  it('refuses a key past its requests: SSE 429 with Retry-After, WebSocket an error', async () => {
    const headers = { authorization: `Bearer ${stack.tenant.apiKey}` };
    const started = [
      await sseSubscribe(stack.gateway.url, { query: SUBSCRIPTION }, headers),
      await sseSubscribe(stack.gateway.url, { query: SUBSCRIPTION }, headers),
    ];
    expect(started.map((s) => s.status)).toEqual([200, 200]);
    const refused = await sseSubscribe(stack.gateway.url, { query: SUBSCRIPTION }, headers);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(refused.raw()).errors[0].extensions.code).toBe('RATE_LIMITED');
    const socket = await wsConnect(stack.gateway.url, headers);
    expect((await socket.next()).type).toBe('connection_ack');
    socket.subscribe('b', { query: SUBSCRIPTION });
    expect(await socket.next()).toEqual({
      type: 'error',
      id: 'b',
      payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })],
    });
    for (const stream of started) stream.close();
    socket.close();
  });
});
