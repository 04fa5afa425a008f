/**
 * Waiting for another process's write lock without blocking the event loop. node:sqlite's own busy
 * timeout sleeps inside the call, stopping every request of the process for as long as it waits; so
 * connections are opened with timeout 0 and a busy attempt is repeated from a timer instead.
 */

/** SQLITE_BUSY and SQLITE_LOCKED, and their extended codes (the low byte is the primary code). */
export function isBusy(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const { errcode } = e as Error & { errcode?: number };
    if (errcode !== undefined) return (errcode & 0xff) === 5 || (errcode & 0xff) === 6;
  }
  return false;
}

/** Milliseconds before the next attempt: doubling from 1, at most 25, so a freed lock is taken soon. */
export function busyDelay(attempt: number): number {
  return Math.min(2 ** attempt, 25);
}

/** Runs `work` until it is not busy, retrying for at most `budgetMs` in all; then its error stands. */
export async function retryWhileBusy<T>(work: () => T, budgetMs: number): Promise<T> {
  const deadline = performance.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (err) {
      const delay = busyDelay(attempt);
      if (!isBusy(err) || performance.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
