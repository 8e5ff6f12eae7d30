import { randomBytes } from 'node:crypto';

/**
 * Random ids (trace and span ids, cache generation tokens) cut from a pool of
 * random bytes drawn 4 KiB at a time: one draw per ~170 requests instead of
 * one or more per request (each draw has a fixed cost that showed in
 * profiles). For unique ids, not for secrets: API keys and the like are never
 * made here.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function take(bytes: number): [Buffer, number] {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return [pool, start];
}

/** `bytes` random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  const [buffer, start] = take(bytes);
  return buffer.toString('hex', start, start + bytes);
}

/** `bytes` random bytes as base64url. */
export function randomToken(bytes: number): string {
  const [buffer, start] = take(bytes);
  return buffer.toString('base64url', start, start + bytes);
}
