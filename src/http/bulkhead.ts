import { runThenCleanUp } from './run-then.js';

/**
 * The concurrency limits around vendor calls: per vendor, a global cap on calls
 * in flight; within it, per tenant and vendor, a share of that cap and a
 * bounded queue. A tenant whose calls hang holds at most its share, so another
 * tenant's calls to the same vendor still find free slots; a tenant whose
 * queue is full is refused at once (the caller answers UPSTREAM_UNAVAILABLE
 * with retryAfter) rather than waiting behind its own backlog.
 *
 * Hand-written rather than two cockatiel bulkheads: cockatiel hands a freed
 * slot to whichever call asks first, and a queued call that loses that race
 * goes back to the end of the queue, so under sustained load some calls wait
 * round after round (the long tail). Here a freed slot passes straight to the
 * oldest waiter: first come, first served, and a wait bounded by the queue.
 */

/** Thrown by `acquire` when the tenant's queue for the vendor is full. */
export class BulkheadFullError extends Error {
  constructor(readonly queued: number) {
    super(`${queued} calls already waiting`);
    this.name = 'BulkheadFullError';
  }
}

/** A counting semaphore with FIFO hand-off. */
class Slots {
  #free: number;
  readonly #waiters: (() => void)[] = [];
  /** Index of the oldest waiter: shifting a long array on every release would cost O(n). */
  #head = 0;

  constructor(
    limit: number,
    private readonly maxQueued: number,
  ) {
    this.#free = limit;
  }

  get queued(): number {
    return this.#waiters.length - this.#head;
  }

  /** Resolves once a slot is this caller's; throws BulkheadFullError when the queue is full. */
  acquire(): Promise<void> | undefined {
    if (this.#free > 0 && this.queued === 0) {
      this.#free -= 1;
      return undefined;
    }
    if (this.queued >= this.maxQueued) throw new BulkheadFullError(this.queued);
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    if (this.queued === 0) {
      this.#free += 1;
      return;
    }
    const next = this.#waiters[this.#head]!;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#head);
      this.#head = 0;
    }
    next(); // the slot passes on without ever being free
  }
}

export interface BulkheadSettings {
  /** Calls in flight per vendor, all tenants together. */
  readonly maxConcurrencyPerVendor: number;
  /** Calls in flight per tenant and vendor (at most the vendor's cap). */
  readonly maxConcurrencyPerTenant: number;
  /** Calls waiting per tenant and vendor; one more is refused at once. */
  readonly maxQueuedPerTenant: number;
}

export interface Bulkhead {
  /** Runs `work` once the tenant and the vendor both have a slot for it; BulkheadFullError when it cannot wait. */
  run<T>(vendor: string, tenantId: string, work: () => Promise<T>): Promise<T>;
}

export function createBulkhead(settings: BulkheadSettings): Bulkhead {
  const vendors = new Map<string, Slots>();
  const tenants = new Map<string, Slots>();
  const perTenant = Math.min(settings.maxConcurrencyPerTenant, settings.maxConcurrencyPerVendor);
  const slotsOf = <K>(map: Map<K, Slots>, key: K, create: () => Slots) => {
    let slots = map.get(key);
    if (!slots) map.set(key, (slots = create()));
    return slots;
  };
  return {
    run(vendor, tenantId, work) {
      const tenant = slotsOf(
        tenants,
        `${vendor}\u0000${tenantId}`,
        () => new Slots(perTenant, settings.maxQueuedPerTenant),
      );
      // Only calls that hold their tenant's slot wait for the vendor's: at most the tenants' shares, never unbounded.
      const vendorSlots = slotsOf(vendors, vendor, () => new Slots(settings.maxConcurrencyPerVendor, Infinity));
      let waiting: Promise<void> | undefined;
      try {
        waiting = tenant.acquire();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      // Most calls find their slots free and start at once: no await, so no frame kept for the whole call.
      return waiting
        ? waiting.then(() => holdingTenant(tenant, vendorSlots, work))
        : holdingTenant(tenant, vendorSlots, work);
    },
  };
}

/** Private: `work` once the vendor has a slot for it too; the tenant's slot is held already. */
function holdingTenant<T>(tenant: Slots, vendor: Slots, work: () => Promise<T>): Promise<T> {
  let waiting: Promise<void> | undefined;
  try {
    waiting = vendor.acquire();
  } catch (error) {
    tenant.release();
    return Promise.reject(error as Error);
  }
  return waiting ? waiting.then(() => holdingBoth(tenant, vendor, work)) : holdingBoth(tenant, vendor, work);
}

/** Private: runs `work` on the two slots it holds and hands them back once it settles, the vendor's first. */
function holdingBoth<T>(tenant: Slots, vendor: Slots, work: () => Promise<T>): Promise<T> {
  return runThenCleanUp(work, () => {
    vendor.release();
    tenant.release();
  });
}
