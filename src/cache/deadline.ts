/** Thrown when a cache command's deadline passed without its answer. */
export class CacheTimeoutError extends Error {}

/** The timers a deadline runs on: Node's, or a test's. */
export interface DeadlineClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  setImmediate(run: () => void): unknown;
}

const nodeClock: DeadlineClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
  setImmediate: (run) => setImmediate(run),
};

/**
 * `work`, or a CacheTimeoutError once Redis had `timeoutMs` of the event loop's attention without answering.
 * Time the loop spent elsewhere (the timer firing late) is given back, up to `maxWaitMs` in all: on one
 * connection a reply waits behind the replies the loop has not read yet, and counting that against Redis
 * would turn a busy gateway's lookups into misses it runs in full, which keep it busy.
 * The setImmediate re-check runs after the loop has read its sockets: an answer already there is not late.
 */
export function withinDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  maxWaitMs: number,
  clock: DeadlineClock = nodeClock,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const started = clock.now();
    let settled = false;
    // Lateness below this is a timer's usual jitter, not time taken from Redis.
    const tolerance = Math.max(1, timeoutMs / 10);
    let timer: unknown;
    const arm = (ms: number) => {
      const due = clock.now() + ms;
      timer = clock.setTimeout(() => {
        const overslept = clock.now() - due;
        const left = started + maxWaitMs - clock.now();
        if (overslept > tolerance && left > 0) return arm(Math.min(overslept, left));
        clock.setImmediate(() => {
          if (settled) return;
          settled = true;
          reject(new CacheTimeoutError('cache operation timed out'));
        });
      }, ms);
    };
    arm(timeoutMs);
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      done();
    };
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
