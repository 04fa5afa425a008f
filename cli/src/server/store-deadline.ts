/**
 * `--store-connect-timeout`: a bound on how long a process that started before its database waits
 * for it. Until the store first answers, it is pinged each second; past the deadline the start fails
 * with the last error. Once the store has answered, outages later on are waited out as always.
 */
import type { Store } from "@bosun/store";

const PING_EVERY_MS = 1_000;

/** Resolves once the store answered; rejects with its last error once timeoutMs passed without. */
export async function storeAnswersWithin(store: Pick<Store, "ping">, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (err) {
      const left = deadline - performance.now();
      if (left <= 0) {
        const seconds = Math.round(timeoutMs / 1000);
        throw new Error(`${(err as Error).message} (still unreachable after ${seconds}s)`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(PING_EVERY_MS, left)));
    }
  }
}
