import { retryWhileBusy } from "./busy.js";
import { unavailable } from "./unavailable.js";

/**
 * How the tables kept beside the store's own in its file (credentials, watches, webhooks) write: a
 * write another process's lock holds back is tried again within the budget, and a change is made
 * durable (the WAL synced) before it is answered; failures are StoreUnavailableErrors saying what was
 * being done.
 */
export class SqliteWrites {
  readonly #sync: (() => Promise<void>) | undefined;
  readonly #busyBudgetMs: number;

  constructor(sync: (() => Promise<void>) | undefined, busyBudgetMs: number) {
    this.#sync = sync;
    this.#busyBudgetMs = busyBudgetMs;
  }

  run<T>(doing: string, work: () => T): Promise<T> {
    return retryWhileBusy(work, this.#busyBudgetMs).catch((err: unknown) => {
      throw unavailable(doing, err);
    });
  }

  async durable(doing: string): Promise<void> {
    try {
      await this.#sync?.();
    } catch (err) {
      throw unavailable(doing, err, "could not make the change durable");
    }
  }
}
