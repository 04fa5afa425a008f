import type pg from "pg";

/** One caller's share of a batch: its statements, run inside a savepoint of the shared transaction. */
export type Unit<T> = (client: pg.PoolClient) => Promise<T>;

interface Pending {
  work: Unit<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export interface PgGroupCommitOptions {
  /** Checks out the connection a batch runs on. */
  connect(): Promise<pg.PoolClient>;
  /** Runs inside the transaction after the units, before COMMIT (NOTIFY is delivered on commit). */
  beforeCommit?(client: pg.PoolClient, committed: readonly unknown[]): Promise<void>;
  /** After COMMIT returned, before any caller is answered. */
  afterCommit?(committed: readonly unknown[]): void;
}

/**
 * Commits the units that arrive within one event-loop turn in one transaction: a push burst costs
 * one commit (one WAL flush) instead of one each. Each unit runs in a SAVEPOINT, so a unit that fails
 * is rolled back alone and its caller rejected, while the others commit. Callers are answered only
 * after COMMIT returned (synchronous_commit is on: the WAL is flushed by then).
 */
export class PgGroupCommitter {
  readonly #options: PgGroupCommitOptions;
  #queue: Pending[] = [];
  #scheduled = false;
  #running: Promise<void> = Promise.resolve();

  constructor(options: PgGroupCommitOptions) {
    this.#options = options;
  }

  run<T>(work: Unit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          // One batch at a time: units arriving meanwhile wait and form the next batch together.
          this.#running = this.#running.then(() => this.#flush());
        });
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    let client: pg.PoolClient | undefined;
    let broken = false;
    try {
      client = await this.#options.connect();
      await client.query("BEGIN");
      for (const unit of batch) {
        await client.query("SAVEPOINT unit");
        try {
          unit.outcome = { ok: true, value: await unit.work(client) };
          await client.query("RELEASE SAVEPOINT unit");
        } catch (error) {
          unit.outcome = { ok: false, error };
          await client.query("ROLLBACK TO SAVEPOINT unit");
        }
      }
      const committed = batch.flatMap((u) => (u.outcome?.ok ? [u.outcome.value] : []));
      await this.#options.beforeCommit?.(client, committed);
      await client.query("COMMIT");
      this.#options.afterCommit?.(committed);
    } catch (error) {
      // The transaction as a whole failed (connection lost, COMMIT refused): nothing of it is kept.
      broken = true;
      await client?.query("ROLLBACK").catch(() => undefined);
      for (const unit of batch) unit.reject(error);
      return;
    } finally {
      client?.release(broken);
    }
    for (const unit of batch) {
      const outcome = unit.outcome!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    }
  }
}
