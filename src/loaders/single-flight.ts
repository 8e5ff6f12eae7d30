/**
 * Reads in flight on this instance, by key: concurrent misses for one key
 * (from any request) make one upstream call. Process-wide.
 */
export interface SingleFlight {
  /** The flight for `key`: one already up, or `start()`; `leader` is true for the call that started it. */
  join<T>(key: string, start: () => Promise<T>): { readonly flight: Promise<T>; readonly leader: boolean };
  /** Lets no later read join the flights whose key starts with `prefix` (a write made them stale). */
  forget(prefix: string): void;
}

export function createSingleFlight(): SingleFlight {
  const flights = new Map<string, Promise<unknown>>();
  return {
    join<T>(key: string, start: () => Promise<T>) {
      const existing = flights.get(key) as Promise<T> | undefined;
      if (existing) return { flight: existing, leader: false };
      const flight = start();
      flights.set(key, flight);
      // A write may have dropped this flight and another may have started since.
      const land = () => {
        if (flights.get(key) === flight) flights.delete(key);
      };
      flight.then(land, land);
      return { flight, leader: true };
    },
    forget(prefix) {
      for (const key of flights.keys()) if (key.startsWith(prefix)) flights.delete(key);
    },
  };
}
