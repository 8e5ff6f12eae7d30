import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR, FAST_UPSTREAM, errorsOf, healthyRowsOf, type EveryVendorResult } from '../resilience/helpers.js';

/**
 * A vendor whose response body is over its cap: reading stops at the cap, the
 * vendor's fields answer UPSTREAM_RESPONSE_TOO_LARGE (not retried), the other
 * vendors answer in full, and nothing of it is cached.
 */

const LEEN_CAP = 256 * 1024;

describe('vendor response bodies over the cap', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      config: { upstream: { ...FAST_UPSTREAM, timeoutMs: 5_000, maxResponseBytesByVendor: { LEEN: LEEN_CAP } } },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const everyVendor = () => stack.gql(EVERY_VENDOR) as Promise<EveryVendorResult>;

  it('a 50 MiB chunked body: read no further than the cap, UPSTREAM_RESPONSE_TOO_LARGE, others answered', async () => {
    const written: number[] = [];
    stack.sandbox.get('LEEN').addFault({ method: 'GET', kind: 'flood', flooded: (bytes) => written.push(bytes) });
    const result = await everyVendor();
    expect(result.status).toBe(200);
    const leenErrors = errorsOf(result, 'LEEN');
    expect(leenErrors.length).toBeGreaterThan(0);
    for (const error of leenErrors) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_RESPONSE_TOO_LARGE', vendor: 'LEEN' });
      expect(error.message).toBe(`LEEN answered with a body larger than Junction accepts (${LEEN_CAP} bytes)`);
    }
    expect(healthyRowsOf(result, 'LEEN').length).toBeGreaterThan(0);
    expect(result.body.errors!.filter((e) => e.extensions?.vendor !== 'LEEN')).toEqual([]);
    // Not retried: one attempt per resource.
    for (const count of Object.values(stack.sandbox.get('LEEN').stats().byPath)) expect(count).toBe(1);
    // The flood stopped when Junction hung up: a small fraction of the 50 MiB left the vendor (socket buffers aside).
    await expect.poll(() => written.length).toBe(stack.sandbox.get('LEEN').stats().total);
    for (const bytes of written) expect(bytes).toBeLessThan(8 * 1024 * 1024);

    // Never cached: with the vendor well again, the same query reads Leen afresh and answers in full.
    stack.sandbox.get('LEEN').clearFaults();
    const before = stack.sandbox.get('LEEN').stats().total;
    const again = await everyVendor();
    expect(again.body.errors).toBeUndefined();
    expect(stack.sandbox.get('LEEN').stats().total).toBeGreaterThan(before);
  });

  it('a body that declares a length over the cap is not read at all', async () => {
    const big = Array.from({ length: 400 }, (_, i) => ({ id: `${i}`.padStart(1000, '0') }));
    stack.sandbox.get('LEEN').addFault({ method: 'GET', status: 200, body: big });
    const result = await everyVendor();
    const codes = errorsOf(result, 'LEEN').map((e) => e.extensions?.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['UPSTREAM_RESPONSE_TOO_LARGE']));
  });

  it('under the cap, the same vendor answers as usual; other vendors keep the default cap', async () => {
    const result = await everyVendor();
    expect(result.body.errors).toBeUndefined();
  });
});
