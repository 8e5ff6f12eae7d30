import { describe } from 'vitest';
import { createMemoryConnectionIndexStore } from '../../src/cache/connection-index-store.js';
import { createMemoryLeaseStore } from '../../src/cache/lease-store.js';
import { manualClock } from '../helpers/clock.js';
import { retentionContract, storeContract } from './store-contract.js';

describe('connection index in memory', () => {
  const clock = manualClock();
  const setup = (maxEntries = 1000) => {
    const leaseA = createMemoryLeaseStore({ owner: 'a', now: clock.now });
    // One process: both "instances" share its lease table, each under its own owner id.
    const store = createMemoryConnectionIndexStore({
      retention: { maxEntries, maxAgeSeconds: 0 },
      leases: leaseA,
      now: clock.now,
    });
    return {
      store,
      leases: [leaseA, leaseA] as const,
      expire: async () => clock.advance(60_001),
    };
  };
  describe('store', () => storeContract(() => setup()));
  describe('retention', () => retentionContract(() => setup(10), 10));
});
