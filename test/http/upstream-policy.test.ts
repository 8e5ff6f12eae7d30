import { describe, expect, it, vi } from 'vitest';
import { GatewayErrorCode, UpstreamError } from '../../src/domain/errors.js';
import { DeadlineCause } from '../../src/http/attempt-verdict.js';
import type { Vendor } from '../../src/domain/models.js';
import type { BreakerState, UpstreamObserver } from '../../src/http/upstream-observer.js';
import {
  createUpstreamPolicy,
  type AttemptResult,
  type UpstreamPolicySettings,
} from '../../src/http/upstream-policy.js';
import { manualClock } from '../helpers/clock.js';

/**
 * The resilience policy in-process, with scripted attempts instead of a vendor:
 * what is retried (reads on any transient failure, writes only when the vendor
 * certainly did not act), how often, which Retry-After is waited out, and the
 * breaker per vendor and tenant on a clock the test moves.
 */

const SETTINGS: UpstreamPolicySettings = {
  timeoutMs: 5_000,
  maxConcurrencyPerVendor: 4,
  maxConcurrencyPerTenant: 4,
  maxQueuedPerTenant: 100,
  retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
  breaker: { failureThreshold: 1_000, halfOpenAfterMs: 10_000 },
};

function recordingObserver() {
  const events = { retries: [] as string[], states: [] as string[], rejected: 0 };
  const observer: UpstreamObserver = {
    attempt: () => {},
    retry: (_vendor, reason) => events.retries.push(reason),
    breakerState: (vendor: Vendor, tenant: string, state: BreakerState) =>
      events.states.push(`${vendor}/${tenant} ${state}`),
    breakerRejected: () => (events.rejected += 1),
    bulkheadRejected: () => {},
  };
  return { observer, events };
}

type Outcome = AttemptResult | Error;
const answer = (status: number, headers: Record<string, string> = {}): AttemptResult => ({ status, headers });
const refused = () =>
  new UpstreamError('LEEN', GatewayErrorCode.UPSTREAM_UNAVAILABLE, 'refused', {
    cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
  });
const timedOut = () => new UpstreamError('LEEN', GatewayErrorCode.UPSTREAM_TIMEOUT, 'timeout');

/** An attempt function that plays `outcomes` in order (the last one repeats) and counts its calls. */
function scripted(...outcomes: Outcome[]) {
  const calls = { count: 0 };
  const attempt = async () => {
    const outcome = outcomes[Math.min(calls.count, outcomes.length - 1)]!;
    calls.count += 1;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { attempt, calls };
}

const target = (idempotent: boolean, tenantId = 'acme') => ({ vendor: 'LEEN' as const, tenantId, idempotent });

describe('retry rules', () => {
  it('a read is retried on 5xx until it succeeds, each retry reported with its cause', async () => {
    const { observer, events } = recordingObserver();
    const policy = createUpstreamPolicy(SETTINGS, observer);
    const { attempt, calls } = scripted(answer(503), answer(502), answer(200));
    expect((await policy.execute(target(true), attempt)).status).toBe(200);
    expect(calls.count).toBe(3);
    expect(events.retries).toEqual(['503', '502']);
  });

  it('gives up after maxAttempts with the last answer', async () => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const { attempt, calls } = scripted(answer(500), answer(500), answer(504));
    expect((await policy.execute(target(true), attempt)).status).toBe(504);
    expect(calls.count).toBe(3);
  });

  it('a read is retried after a timeout; a write is not (the vendor may have acted)', async () => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const read = scripted(timedOut(), answer(200));
    expect((await policy.execute(target(true), read.attempt)).status).toBe(200);
    expect(read.calls.count).toBe(2);
    const write = scripted(timedOut(), answer(200));
    await expect(policy.execute(target(false), write.attempt)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_TIMEOUT' },
    });
    expect(write.calls.count).toBe(1);
  });

  it('a write is not retried on a 5xx', async () => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const { attempt, calls } = scripted(answer(503), answer(200));
    expect((await policy.execute(target(false), attempt)).status).toBe(503);
    expect(calls.count).toBe(1);
  });

  it('a write is retried when the vendor certainly did not act: 429, or a refused connection', async () => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const limited = scripted(answer(429), answer(201));
    expect((await policy.execute(target(false), limited.attempt)).status).toBe(201);
    expect(limited.calls.count).toBe(2);
    const unreachable = scripted(refused(), answer(201));
    expect((await policy.execute(target(false), unreachable.attempt)).status).toBe(201);
    expect(unreachable.calls.count).toBe(2);
  });

  it.each([400, 401, 404, 409])('%i is never retried', async (status) => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const { attempt, calls } = scripted(answer(status), answer(200));
    expect((await policy.execute(target(true), attempt)).status).toBe(status);
    expect(calls.count).toBe(1);
  });

  it('a Retry-After longer than maxRetryAfterMs is not waited out: the answer goes back at once', async () => {
    const policy = createUpstreamPolicy(SETTINGS, recordingObserver().observer);
    const { attempt, calls } = scripted(answer(429, { 'retry-after': '2' }), answer(200));
    expect((await policy.execute(target(true), attempt)).status).toBe(429);
    expect(calls.count).toBe(1);
  });

  it.each([
    ['a response', answer(503, { 'retry-after': '1' })],
    ['an error', new UpstreamError('LEEN', GatewayErrorCode.UPSTREAM_UNAVAILABLE, 'unreachable')],
  ])('after %s, a retry the deadline would refuse is refused at once, not after the backoff', async (_what, first) => {
    // Faked timers: a backoff that is waited never ends, so the outcome below would still be pending.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const slowBackoff = { ...SETTINGS.retry, initialDelayMs: 1_000, maxDelayMs: 1_000 };
      const policy = createUpstreamPolicy({ ...SETTINGS, retry: slowBackoff }, recordingObserver().observer);
      const { attempt, calls } = scripted(first, answer(200));
      // 3 s left: a 1 s wait plus a whole 5 s attempt do not fit.
      const outcome = policy
        .execute({ ...target(true), deadline: performance.now() + 3_000 }, attempt)
        .catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(10);
      const settled = await Promise.race([outcome, Promise.resolve('still waiting')]);
      expect(settled).toBeInstanceOf(UpstreamError);
      expect((settled as UpstreamError).details.cause).toBeInstanceOf(DeadlineCause);
      expect(calls.count).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('maxAttempts 1 disables retries', async () => {
    const policy = createUpstreamPolicy(
      { ...SETTINGS, retry: { ...SETTINGS.retry, maxAttempts: 1 } },
      recordingObserver().observer,
    );
    const { attempt, calls } = scripted(answer(503), answer(200));
    expect((await policy.execute(target(true), attempt)).status).toBe(503);
    expect(calls.count).toBe(1);
  });
});

describe('circuit breaker, per vendor and tenant, on an injected clock', () => {
  const settings: UpstreamPolicySettings = {
    ...SETTINGS,
    retry: { ...SETTINGS.retry, maxAttempts: 1 },
    breaker: { failureThreshold: 2, halfOpenAfterMs: 10_000 },
  };

  it('opens after consecutive failures, refuses without calling, half-opens on time, re-opens, then closes', async () => {
    const clock = manualClock();
    const { observer, events } = recordingObserver();
    const policy = createUpstreamPolicy(settings, observer, clock.now);
    const failing = scripted(answer(503));
    await policy.execute(target(true), failing.attempt);
    await policy.execute(target(true), failing.attempt);
    expect(events.states.at(-1)).toBe('LEEN/acme open');

    const refusal = policy.execute(target(true), failing.attempt);
    await expect(refusal).rejects.toBeInstanceOf(UpstreamError);
    await expect(refusal).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_UNAVAILABLE', vendor: 'LEEN', retryAfter: 10 },
    });
    expect(failing.calls.count).toBe(2);
    expect(events.rejected).toBe(1);

    clock.advance(9_999);
    await expect(policy.execute(target(true), failing.attempt)).rejects.toBeInstanceOf(UpstreamError);
    expect(failing.calls.count).toBe(2);

    clock.advance(1);
    expect((await policy.execute(target(true), failing.attempt)).status).toBe(503); // the trial call, failed
    expect(failing.calls.count).toBe(3);
    expect(events.states.slice(-2)).toEqual(['LEEN/acme half-open', 'LEEN/acme open']);
    await expect(policy.execute(target(true), failing.attempt)).rejects.toBeInstanceOf(UpstreamError);

    clock.advance(10_000);
    const healthy = scripted(answer(200));
    expect((await policy.execute(target(true), healthy.attempt)).status).toBe(200);
    expect(events.states.slice(-2)).toEqual(['LEEN/acme half-open', 'LEEN/acme closed']);
    expect((await policy.execute(target(true), healthy.attempt)).status).toBe(200);
    expect(healthy.calls.count).toBe(2);
  });

  it("one tenant's open breaker leaves another tenant's calls to the same vendor alone", async () => {
    const policy = createUpstreamPolicy(settings, recordingObserver().observer, manualClock().now);
    const failing = scripted(answer(500));
    await policy.execute(target(true, 'acme'), failing.attempt);
    await policy.execute(target(true, 'acme'), failing.attempt);
    await expect(policy.execute(target(true, 'acme'), failing.attempt)).rejects.toBeInstanceOf(UpstreamError);
    const other = scripted(answer(200));
    expect((await policy.execute(target(true, 'globex'), other.attempt)).status).toBe(200);
    expect(other.calls.count).toBe(1);
  });

  it('a 429 is a healthy vendor protecting itself: it never opens the breaker', async () => {
    const policy = createUpstreamPolicy(settings, recordingObserver().observer, manualClock().now);
    const limited = scripted(answer(429));
    for (let i = 0; i < 5; i++) expect((await policy.execute(target(true), limited.attempt)).status).toBe(429);
    expect(limited.calls.count).toBe(5);
  });

  it('a success in between resets the count of consecutive failures', async () => {
    const policy = createUpstreamPolicy(settings, recordingObserver().observer, manualClock().now);
    const mixed = scripted(answer(503), answer(200), answer(503), answer(200));
    for (let i = 0; i < 4; i++) await policy.execute(target(true), mixed.attempt);
    expect(mixed.calls.count).toBe(4);
  });
});
