/**
 * Work in flight on this instance, by key: concurrent misses for one key
 * (from any request) make one upstream call, or one run of an operation
 * (the response cache's identical requests).
 */
export interface SingleFlight {
  /** The flight for `key`: one already up, or `start()`; `leader` is true for the call that started it. */
  join<T>(key: string, start: () => Promise<T>): { readonly flight: Promise<T>; readonly leader: boolean };
  /** The flight up for `key`, if any, without starting one. */
  running<T>(key: string): Promise<T> | undefined;
  /** Lets no later read join the flights whose key starts with `prefix` (a write made them stale). */
  forget(prefix: string): void;
}

/**
 * A flight's entry, emptied when it lands. V8 leaves a long-lived Map's table, copied at each rehash, in the
 * old generation until the next full collection, entries and all: a flight held there directly kept its
 * settled body (raw and validated) alive through young collections, so nearly every vendor body was copied
 * and promoted (about 16 KB per cold read).
 */
interface Entry {
  flight: Promise<unknown> | undefined;
}

export function createSingleFlight(): SingleFlight {
  const flights = new Map<string, Entry>();
  const running = <T>(key: string) => flights.get(key)?.flight as Promise<T> | undefined;
  return {
    join<T>(key: string, start: () => Promise<T>) {
      const existing = running<T>(key);
      if (existing) return { flight: existing, leader: false };
      const flight = start();
      const entry: Entry = { flight };
      flights.set(key, entry);
      // A write may have dropped this flight and another may have started since.
      const land = () => {
        entry.flight = undefined;
        if (flights.get(key) === entry) flights.delete(key);
      };
      flight.then(land, land);
      return { flight, leader: true };
    },
    running,
    forget(prefix) {
      for (const key of flights.keys()) if (key.startsWith(prefix)) flights.delete(key);
    },
  };
}
