/**
 * Runs `work` and calls `cleanUp` once when its promise settles (or at once when `work` throws), passing the
 * outcome on. What `try { return await work() } finally { cleanUp() }` does, by handlers: an async function there was
 * a suspended frame kept for the whole vendor call, and `finally` adds a promise and a hop per settlement.
 */
export function runThenCleanUp<T>(work: () => Promise<T>, cleanUp: () => void): Promise<T> {
  let running: Promise<T>;
  try {
    running = work();
  } catch (error) {
    cleanUp();
    return Promise.reject(error as Error);
  }
  return running.then(
    (value) => {
      cleanUp();
      return value;
    },
    (error: unknown) => {
      cleanUp();
      throw error;
    },
  );
}
