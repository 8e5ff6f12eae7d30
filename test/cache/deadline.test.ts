import { describe, expect, it } from 'vitest';
import { CacheTimeoutError, withinDeadline, type DeadlineClock } from '../../src/cache/deadline.js';

/**
 * Timers that fire only when the test says the event loop got to them: `stall` is a loop busy elsewhere
 * (time passes, nothing fires), `turn` is the loop coming round (due timers, then immediates).
 */
function loopClock() {
  let time = 0;
  let next = 0;
  const timers = new Map<number, { due: number; run: () => void }>();
  let immediates: (() => void)[] = [];
  const clock: DeadlineClock = {
    now: () => time,
    setTimeout(run, ms) {
      timers.set((next += 1), { due: time + ms, run });
      return next;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    setImmediate: (run) => void immediates.push(run),
  };
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    clock,
    stall(ms: number) {
      time += ms;
    },
    /** One turn of the loop: due timers fire, then (after the sockets were read) the immediates. */
    async turn() {
      for (const [id, timer] of [...timers]) {
        if (timer.due > time) continue;
        timers.delete(id);
        timer.run();
      }
      await settle();
      const ran = immediates;
      immediates = [];
      for (const run of ran) run();
      await settle();
    },
    /** Lets time pass with the loop idle, turning at each due timer. */
    async idle(ms: number) {
      const until = time + ms;
      while (time < until) {
        const due = Math.min(until, ...[...timers.values()].map((t) => t.due));
        time = Math.max(time + 0.5, due);
        await this.turn();
      }
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

function outcome<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

/** A command Redis never answers, under a 50 ms deadline bounded at 1 s. */
const unanswered = (clock: DeadlineClock) =>
  outcome(withinDeadline(new Promise<string>(() => undefined), 50, 1000, clock));

/** The read is still pending just before `ms` more of idle loop, and has timed out just after. */
async function expectTimeoutAfter(loop: ReturnType<typeof loopClock>, read: ReturnType<typeof unanswered>, ms: number) {
  await loop.idle(ms - 1);
  expect(read.done).toBe(false);
  await loop.idle(2);
  expect(read.error).toBeInstanceOf(CacheTimeoutError);
}

describe('a cache command deadline', () => {
  it('fails an answer Redis does not send within the deadline, with the loop free to read it', async () => {
    const loop = loopClock();
    await expectTimeoutAfter(loop, unanswered(loop.clock), 50);
  });

  it('gives back the time the event loop spent elsewhere, so an answer read after a stall counts', async () => {
    const loop = loopClock();
    let answer!: (value: string) => void;
    const read = outcome(withinDeadline(new Promise<string>((r) => (answer = r)), 50, 1000, loop.clock));
    // The loop is busy for six deadlines; Redis's answer is still behind replies the loop has not read.
    loop.stall(300);
    await loop.turn();
    expect(read.done).toBe(false);
    await loop.idle(10);
    answer('kept');
    await loop.turn();
    expect(read.value).toBe('kept');
    expect(loop.pendingTimers).toBe(0);
  });

  it('still fails once the given-back time has passed with no answer', async () => {
    const loop = loopClock();
    const read = unanswered(loop.clock);
    loop.stall(300);
    await loop.turn();
    await expectTimeoutAfter(loop, read, 250);
  });

  it('waits no longer than its bound however often the loop stalls', async () => {
    const loop = loopClock();
    const read = unanswered(loop.clock);
    for (let turns = 0; turns < 100 && !read.done; turns++) {
      loop.stall(200);
      await loop.turn();
    }
    expect(read.error).toBeInstanceOf(CacheTimeoutError);
    expect(loop.clock.now()).toBeLessThanOrEqual(1000 + 200);
  });

  it("treats a timer's usual lateness as time Redis had", async () => {
    const loop = loopClock();
    const read = unanswered(loop.clock);
    loop.stall(53);
    await loop.turn();
    expect(read.error).toBeInstanceOf(CacheTimeoutError);
  });

  it('passes on the answer or the error of a command that settles in time', async () => {
    const loop = loopClock();
    const ok = outcome(withinDeadline(Promise.resolve(7), 50, 1000, loop.clock));
    const failed = outcome(withinDeadline(Promise.reject(new Error('WRONGTYPE')), 50, 1000, loop.clock));
    await loop.turn();
    expect(ok.value).toBe(7);
    expect((failed.error as Error).message).toBe('WRONGTYPE');
    expect(loop.pendingTimers).toBe(0);
  });
});
