/**
 * What `run` returns or throws, as a promise. `Promise.resolve(run())` lets a synchronous
 * throw escape before any promise exists, so a caller waiting on the result (a thread's
 * 'cli-done' for a replayed runtime API command) would never hear of it.
 */
export function settled<T>(run: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}
