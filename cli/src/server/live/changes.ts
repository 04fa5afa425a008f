/**
 * Wakes the live stream's followers when this process writes runs, jobs, logs or deliveries, so a
 * line a job prints or a webhook request reaches an open page at once; what another process writes
 * (a `bosun worker` or `bosun gateway` apart) is found at the followers' next poll instead.
 */
import type { Store } from "@bosun/store";

/** The store's writes that change what the dashboard shows. */
const WRITES = new Set<string | symbol>([
  "createRun",
  "finishRun",
  "deleteRuns",
  "createJob",
  "updateJob",
  "appendLogs",
  "requestRun",
  "cancelRun",
  "cancelEvent",
  "recordDelivery",
]);

/** An accept changes the stream's view when it records a delivery (a webhook request's). */
const changesView = (key: string | symbol, args: unknown[]) =>
  key === "acceptEvents" ? args[1] !== undefined : WRITES.has(key);

export class ChangeSignal {
  #waiting = new Set<() => void>();
  /** Counts the changes, so a follower that was busy reading when one came knows it missed it. */
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  notify(): void {
    this.#generation++;
    const waiting = this.#waiting;
    this.#waiting = new Set();
    for (const wake of waiting) wake();
  }

  /**
   * Resolves at the next change after generation `since` (at once if there was one already), or
   * after `ms`, or when `abort` fires, whichever comes first.
   */
  next(since: number, ms: number, abort: AbortSignal): Promise<void> {
    if (this.#generation !== since || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        abort.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiting.add(done);
      abort.addEventListener("abort", done, { once: true });
    });
  }
}

/** The same store, whose writes notify `signal` once they have committed (or failed). */
export function watchStore<S extends Store>(store: S, signal: ChangeSignal): S {
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      // Bound to the real store: its private fields are not reachable through the proxy.
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (key !== "acceptEvents" && !WRITES.has(key)) return method;
      return (...args: unknown[]) => {
        const written = method(...args) as Promise<unknown>;
        return changesView(key, args) ? written.finally(() => signal.notify()) : written;
      };
    },
  });
}
