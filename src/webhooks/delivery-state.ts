import type { DeliveryAttempt, DeliveryRecord } from '../domain/webhook-deliveries.js';

/**
 * A delivery's state machine: PENDING → (attempt) → DELIVERED on a 2xx;
 * otherwise RETRYING with the next attempt after an exponential backoff with
 * full jitter, until the next attempt would fall outside the retry window
 * (24 hours from the first attempt by default): DEAD_LETTERED. A redelivery
 * makes it due at once and opens a new window. Pure: the clock and the
 * randomness are arguments.
 */

export interface RetrySchedule {
  /** The ceiling of the first retry's delay. */
  readonly initialDelayMs: number;
  /** The ceiling never grows past this. */
  readonly maxDelayMs: number;
  /** No attempt is scheduled later than this after the window's first attempt. */
  readonly maxAgeMs: number;
}

/**
 * The delay before retry `n` (1 for the first retry): uniform in
 * [0, min(maxDelayMs, initialDelayMs × 2^(n-1))) ("full jitter"), so failed
 * deliveries of many instances and endpoints spread out instead of retrying in step.
 */
export function retryDelay(retry: number, schedule: RetrySchedule, random: () => number): number {
  const ceiling = Math.min(schedule.maxDelayMs, schedule.initialDelayMs * 2 ** Math.min(retry - 1, 40));
  return Math.floor(random() * ceiling);
}

/** The record after one attempt that started at `startedAt` and ended at `endedAt` (epoch ms) with `attempt`. */
export function afterAttempt(
  record: DeliveryRecord,
  attempt: DeliveryAttempt,
  { startedAt, endedAt }: { readonly startedAt: number; readonly endedAt: number },
  schedule: RetrySchedule,
  random: () => number,
): DeliveryRecord {
  const attempts = [...record.attempts, attempt];
  const windowStartedAt = record.windowStartedAt ?? startedAt;
  if (attempt.error === null) return { ...record, attempts, windowStartedAt, state: 'DELIVERED', nextAttemptAt: null };
  const failuresInWindow = attempts.filter((a) => Date.parse(a.time) >= windowStartedAt).length;
  const next = endedAt + retryDelay(failuresInWindow, schedule, random);
  if (next > windowStartedAt + schedule.maxAgeMs)
    return { ...record, attempts, windowStartedAt, state: 'DEAD_LETTERED', nextAttemptAt: null };
  return { ...record, attempts, windowStartedAt, state: 'RETRYING', nextAttemptAt: next };
}

/** The record made due at `now` again: a new retry window, its history kept. */
export function redelivered(record: DeliveryRecord, now: number): DeliveryRecord {
  return { ...record, state: 'PENDING', nextAttemptAt: now, windowStartedAt: null };
}

/** Ordered comparison of event ids (`<ms>-<seq>`, as Redis Streams spell them). */
export function compareEventIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
