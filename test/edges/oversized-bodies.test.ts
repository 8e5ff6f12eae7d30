import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Request bodies over `maxBodyBytes`: with a Content-Length or chunked (no
 * length declared), the client gets the 413 JSON answer, and the gateway keeps
 * no more than the limit of any of them.
 */

const MAX_BODY_BYTES = 64 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, ' ');

/** POSTs `total` bytes of JSON-ish text, chunked or with a Content-Length; resolves with the gateway's answer. */
function post(url: string, apiKey: string, total: number, chunked: boolean) {
  return new Promise<{ status: number; body: unknown; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${apiKey}`,
        ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }),
      },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(parts).toString()),
        }),
      );
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const part = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

const TOO_LARGE = { errors: [{ message: 'The request body is too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] };

describe('request bodies over the limit', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ config: { limits: { maxBodyBytes: MAX_BODY_BYTES } } });
  });
  afterAll(() => stack.close());

  it.each([
    ['chunked', true],
    ['with a Content-Length', false],
  ])('%s: answered 413 PAYLOAD_TOO_LARGE as JSON', async (_how, chunked) => {
    const answer = await post(stack.gateway.url, stack.tenant.apiKey, 4 * MAX_BODY_BYTES, chunked);
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.body).toEqual(TOO_LARGE);
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('a chunked body within the limit still runs', async () => {
    const query = JSON.stringify({ query: '{ __typename }' });
    const answer = await new Promise<unknown>((resolve, reject) => {
      const req = request(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (part: Buffer) => (text += part.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.write(query.slice(0, 5));
      req.end(query.slice(5));
    });
    expect(answer).toEqual({ data: { __typename: 'Query' } });
  });

  it('20 chunked bodies of 12 MiB at once: all answered 413, memory stays flat (nothing kept past the limit)', async () => {
    const total = 12 * 1024 * 1024;
    // Warm up once, so the connection pool and the parser's buffers are in the baseline.
    await post(stack.gateway.url, stack.tenant.apiKey, total, true);
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post(stack.gateway.url, stack.tenant.apiKey, total, true)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(413));
      expect(answers.every((a) => JSON.stringify(a.body) === JSON.stringify(TOO_LARGE))).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    // 240 MiB were sent; kept, even for a moment, they would show in the buffers (garbage is collected as it comes).
    expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
  });
});
