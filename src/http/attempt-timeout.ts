import { runThenCleanUp } from './run-then.js';

/**
 * The per-attempt timeout as an attempt sees it. Not an AbortSignal: a
 * listener on one (undici's, for every call) cost tens of microseconds per
 * call on Node 20, more than the rest of the policy.
 */
export interface AttemptTimeout {
  /** Once the attempt's time is up: why (an AbortError, as an aborted signal's reason). */
  readonly expired: Error | undefined;
  /** `stop` is called once the time is up, if it is still the listener then; undefined removes it. */
  onExpiry(stop: ((reason: Error) => void) | undefined): void;
}

/** Private: one attempt's timer; the attempt honours it (undici stops the call) and its failure says why. */
class AttemptTimer implements AttemptTimeout {
  expired: Error | undefined;
  #stop: ((reason: Error) => void) | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#timer = setTimeout(() => {
      this.expired = new DOMException('This operation was aborted', 'AbortError');
      this.#stop?.(this.expired);
    }, ms);
  }

  onExpiry(stop: ((reason: Error) => void) | undefined): void {
    this.#stop = stop;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Runs `attempt` under a timer of `ms`. A timer of our own: cockatiel's cooperative timeout
 * added a derived controller, listeners and emitters to every vendor call for the same effect.
 */
export function withTimeout<R>(ms: number, attempt: (timeout: AttemptTimeout) => Promise<R>): Promise<R> {
  const timer = new AttemptTimer(ms);
  return runThenCleanUp(
    () => attempt(timer),
    () => timer.clear(),
  );
}
