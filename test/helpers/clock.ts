/** A clock that moves only when a test moves it: waits measured in time pass without sleeping. */
export interface ManualClock {
  /** The current time in milliseconds (starts at the real time, so stamps look like real ones). */
  readonly now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}
