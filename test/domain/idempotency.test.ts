import { describe, expect, it } from 'vitest';
import { createIdempotencyStore } from '../../src/cache/idempotency-store.js';
import { createMemoryCache } from '../../src/cache/memory-cache.js';
import { BadUserInputError } from '../../src/domain/errors.js';
import { createIdempotency, IdempotencyInProgressError, type IdempotentCall } from '../../src/domain/idempotency.js';
import { manualClock } from '../helpers/clock.js';

/**
 * The idempotency state machine in-process, on the in-memory store: no key →
 * run; first keyed run → claim (pending) → result (done); replay; the key with
 * another input; failures dropping the claim; duplicates in this instance and
 * in another one (polling the store), up to IDEMPOTENCY_IN_PROGRESS; claims
 * and results expiring. Time is a clock the test moves.
 */

const OPTIONS = { ttlSeconds: 3_600, waitMs: 5_000, claimSeconds: 120, pollMs: 1 };
const call = (input: Record<string, unknown>, extra: Partial<IdempotentCall> = {}): IdempotentCall => ({
  operation: 'deleteConnection',
  responseKey: 'deleteConnection',
  argumentKey: typeof input.idempotencyKey === 'string' ? input.idempotencyKey : undefined,
  input,
  ...extra,
});

function counted<T>(value: T) {
  const calls = { count: 0 };
  return { calls, execute: async () => ((calls.count += 1), value) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Two instances (two processes' worth of state) on one store and one clock. */
function setup(options: Partial<typeof OPTIONS> = {}) {
  const clock = manualClock();
  const store = createMemoryCache({ now: clock.now });
  const instance = () => createIdempotency(createIdempotencyStore(store), { ...OPTIONS, ...options, now: clock.now });
  return { clock, store, one: instance(), two: instance() };
}

describe('idempotency state machine', () => {
  it('without a key every call runs', async () => {
    const { one } = setup();
    const run = counted('done');
    for (let i = 0; i < 2; i++)
      expect(await one.forRequest('acme', undefined).run(call({ connectionId: 'c1' }), run.execute)).toEqual({
        kind: 'result',
        value: 'done',
      });
    expect(run.calls.count).toBe(2);
  });

  it('a keyed call runs once; a replay with the same input gets the first result, from either instance', async () => {
    const { one, two } = setup();
    const first = counted({ deleted: 'c1' });
    const input = { connectionId: 'c1', idempotencyKey: 'k1' };
    expect(await one.forRequest('acme', undefined).run(call(input), first.execute)).toEqual({
      kind: 'result',
      value: { deleted: 'c1' },
    });
    const replay = counted({ deleted: 'again' });
    expect(await one.forRequest('acme', undefined).run(call(input), replay.execute)).toEqual({
      kind: 'result',
      value: { deleted: 'c1' },
    });
    expect(await two.forRequest('acme', undefined).run(call(input), replay.execute)).toEqual({
      kind: 'result',
      value: { deleted: 'c1' },
    });
    expect([first.calls.count, replay.calls.count]).toEqual([1, 0]);
  });

  it('the input fingerprint ignores key order, nulls and the key itself', async () => {
    const { one } = setup();
    const guard = one.forRequest('acme', 'hdr');
    const run = counted('x');
    await guard.run(call({ connectionId: 'c1', dryRun: false }), run.execute);
    const same = await guard.run(call({ dryRun: false, note: null, connectionId: 'c1' }), run.execute);
    expect(same).toEqual({ kind: 'result', value: 'x' });
    expect(run.calls.count).toBe(1);
  });

  it('the same key with another input, or on another mutation, is key-reused and runs nothing', async () => {
    const { one } = setup();
    const run = counted('x');
    await one.forRequest('acme', undefined).run(call({ connectionId: 'c1', idempotencyKey: 'k' }), run.execute);
    const guard = one.forRequest('acme', undefined);
    expect(await guard.run(call({ connectionId: 'c2', idempotencyKey: 'k' }), run.execute)).toEqual({
      kind: 'key-reused',
    });
    expect(
      await guard.run(call({ connectionId: 'c1', idempotencyKey: 'k' }, { operation: 'updateSharing' }), run.execute),
    ).toEqual({ kind: 'key-reused' });
    expect(run.calls.count).toBe(1);
  });

  it('keys are per tenant', async () => {
    const { one } = setup();
    const run = counted('x');
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    await one.forRequest('acme', undefined).run(call(input), run.execute);
    await one.forRequest('globex', undefined).run(call(input), run.execute);
    expect(run.calls.count).toBe(2);
  });

  it('a header key covers each mutation field under its own response key; an argument key wins over it', async () => {
    const { one } = setup();
    const run = counted('x');
    const guard = one.forRequest('acme', 'header-key');
    await guard.run(call({ connectionId: 'c1' }, { responseKey: 'a' }), run.execute);
    await guard.run(call({ connectionId: 'c2' }, { responseKey: 'b' }), run.execute);
    expect(run.calls.count).toBe(2);
    // With its own argument key the call is not the header's record (which holds another input for 'a').
    const own = await guard.run(call({ connectionId: 'c9', idempotencyKey: 'arg' }, { responseKey: 'a' }), run.execute);
    expect(own.kind).toBe('result');
    expect(run.calls.count).toBe(3);
  });

  it.each([
    ['an empty argument', '', undefined, 'input.idempotencyKey'],
    ['an argument with a space', 'two words', undefined, 'input.idempotencyKey'],
    ['a 256-character argument', 'k'.repeat(256), undefined, 'input.idempotencyKey'],
    ['a header with a tab', undefined, 'bad\tkey', undefined],
  ])('%s is BAD_USER_INPUT before anything runs', async (_label, argumentKey, headerKey, argumentName) => {
    const { one } = setup();
    const run = counted('x');
    const attempt = one.forRequest('acme', headerKey).run(call({ connectionId: 'c1' }, { argumentKey }), run.execute);
    await expect(attempt).rejects.toBeInstanceOf(BadUserInputError);
    await expect(attempt).rejects.toMatchObject({ extensions: argumentName ? { argumentName } : {} });
    expect(run.calls.count).toBe(0);
  });

  it('a failure is not kept: the claim is dropped and a retry runs again', async () => {
    const { one } = setup();
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    const failing = one.forRequest('acme', undefined).run(call(input), async () => {
      throw new Error('vendor down');
    });
    await expect(failing).rejects.toThrow('vendor down');
    const retry = counted('ok');
    expect(await one.forRequest('acme', undefined).run(call(input), retry.execute)).toEqual({
      kind: 'result',
      value: 'ok',
    });
    expect(retry.calls.count).toBe(1);
  });

  it('concurrent duplicates in one instance share the first call', async () => {
    const { one } = setup();
    const gate = deferred<string>();
    let calls = 0;
    const execute = () => ((calls += 1), gate.promise);
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    const runs = [1, 2, 3].map(() => one.forRequest('acme', undefined).run(call(input), execute));
    gate.resolve('once');
    expect(await Promise.all(runs)).toEqual(Array(3).fill({ kind: 'result', value: 'once' }));
    expect(calls).toBe(1);
  });

  it('a duplicate in another instance waits for the first call and gets its result', async () => {
    const { one, two } = setup();
    const gate = deferred<string>();
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    const first = one.forRequest('acme', undefined).run(call(input), () => gate.promise);
    const duplicate = counted('second');
    const second = two.forRequest('acme', undefined).run(call(input), duplicate.execute);
    gate.resolve('first');
    expect(await second).toEqual({ kind: 'result', value: 'first' });
    expect(await first).toEqual({ kind: 'result', value: 'first' });
    expect(duplicate.calls.count).toBe(0);
  });

  it('a duplicate in another instance still pending after waitMs is IDEMPOTENCY_IN_PROGRESS', async () => {
    const { clock, one, two } = setup({ waitMs: 5_000 });
    const gate = deferred<string>();
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    const first = one.forRequest('acme', undefined).run(call(input), () => gate.promise);
    const duplicate = counted('second');
    const second = two.forRequest('acme', undefined).run(call(input), duplicate.execute);
    clock.advance(5_000);
    await expect(second).rejects.toBeInstanceOf(IdempotencyInProgressError);
    await expect(second).rejects.toMatchObject({ extensions: { code: 'IDEMPOTENCY_IN_PROGRESS', retryAfter: 1 } });
    expect(duplicate.calls.count).toBe(0);
    gate.resolve('first');
    expect(await first).toEqual({ kind: 'result', value: 'first' });
  });

  it('a duplicate in another instance whose first call fails runs the call itself', async () => {
    const { one, two } = setup();
    const gate = deferred<string>();
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    const first = one.forRequest('acme', undefined).run(call(input), () => gate.promise);
    const duplicate = counted('second');
    const second = two.forRequest('acme', undefined).run(call(input), duplicate.execute);
    gate.reject(new Error('vendor down'));
    await expect(first).rejects.toThrow('vendor down');
    expect(await second).toEqual({ kind: 'result', value: 'second' });
    expect(duplicate.calls.count).toBe(1);
  });

  it("a crashed owner's claim lapses after claimSeconds; a result lapses after ttlSeconds", async () => {
    // waitMs 0: the duplicate gives up at its first look, whenever the guard computes its deadline.
    const { clock, one, two } = setup({ claimSeconds: 120, ttlSeconds: 3_600, waitMs: 0 });
    const input = { connectionId: 'c1', idempotencyKey: 'k' };
    void one.forRequest('acme', undefined).run(call(input), () => new Promise<string>(() => {})); // never finishes
    const run = counted('later');
    const held = two.forRequest('acme', undefined).run(call(input), run.execute);
    await expect(held).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(run.calls.count).toBe(0);
    clock.advance(120_001);
    expect(await two.forRequest('acme', undefined).run(call(input), run.execute)).toEqual({
      kind: 'result',
      value: 'later',
    });
    clock.advance(3_600_000);
    expect(await two.forRequest('acme', undefined).run(call(input), run.execute)).toEqual({
      kind: 'result',
      value: 'later',
    });
    expect(run.calls.count).toBe(1);
    clock.advance(1);
    await two.forRequest('acme', undefined).run(call(input), run.execute);
    expect(run.calls.count).toBe(2);
  });
});
