import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';
import { sseSubscribe, wsConnect } from '../helpers/subscriptions.js';

/** Safelist mode holds for subscriptions too: only a manifest's documents start, over SSE and WebSocket. */

const LISTED = 'subscription Listed { connectionEvents { id type } }';
const UNLISTED = 'subscription Unlisted { connectionEvents { id } }';

describe('subscriptions in safelist mode', () => {
  let stack: TestStack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-safelist-'));
    const manifest = join(dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({ [`sha256:${createHash('sha256').update(LISTED).digest('hex')}`]: LISTED }),
    );
    stack = await startStack({ config: { persistedOperations: { mode: 'safelist', manifests: [manifest] } } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a manifest subscription and refuses any other with OPERATION_NOT_SAFELISTED', async () => {
    const headers = { authorization: `Bearer ${stack.tenant.apiKey}` };
    const listed = await sseSubscribe(stack.gateway.url, { query: LISTED }, headers);
    expect(listed.status).toBe(200);
    listed.close();
    const unlisted = await sseSubscribe(stack.gateway.url, { query: UNLISTED }, headers);
    expect(unlisted.status).toBe(400);
    expect(JSON.parse(unlisted.raw()).errors[0].extensions.code).toBe('OPERATION_NOT_SAFELISTED');
    const socket = await wsConnect(stack.gateway.url, headers);
    expect((await socket.next()).type).toBe('connection_ack');
    socket.subscribe('u', { query: UNLISTED });
    expect(await socket.next()).toEqual({
      type: 'error',
      id: 'u',
      payload: [expect.objectContaining({ extensions: { code: 'OPERATION_NOT_SAFELISTED' } })],
    });
    socket.close();
  });
});
