import type pg from "pg";

interface Pending<I, R> {
  item: I;
  resolve(value: R): void;
  reject(reason: unknown): void;
  outcome?: { ok: true; value: R } | { ok: false; error: unknown };
}

export interface PgGroupCommitOptions<I, R> {
  /** Checks out the connection a batch runs on. */
  connect(): Promise<pg.PoolClient>;
  /**
   * Every item of a batch, results in order, outside a transaction: it writes in one statement (so
   * all or nothing is committed, and durable when it returns); throws if any item fails.
   */
  applyAll(client: pg.PoolClient, items: readonly I[]): Promise<R[]>;
  /** One item alone, inside its savepoint: the way a batch is redone when `applyAll` failed. */
  applyOne(client: pg.PoolClient, item: I): Promise<R>;
  /** After COMMIT returned, before any caller is answered. */
  afterCommit?(committed: readonly R[]): void;
}

/**
 * Commits the items that arrive within one event-loop turn in one statement: a push burst costs one
 * commit (one WAL flush) and one round trip instead of several per push. When that statement fails,
 * the batch is redone in a transaction with each item in a SAVEPOINT, so an item that fails is
 * rolled back alone and its caller rejected, while the others commit.
 * Callers are answered only after COMMIT returned (synchronous_commit is on: the WAL is flushed).
 */
export class PgGroupCommitter<I, R> {
  readonly #options: PgGroupCommitOptions<I, R>;
  #queue: Pending<I, R>[] = [];
  #scheduled = false;
  #running: Promise<void> = Promise.resolve();

  constructor(options: PgGroupCommitOptions<I, R>) {
    this.#options = options;
  }

  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          // One batch at a time: items arriving meanwhile wait and form the next batch together
          // (more batches at once were measured slower: on two cores the server's CPU is what binds).
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
      if (!(await this.#applyAll(client, batch))) {
        await client.query("BEGIN");
        await this.#applyEach(client, batch);
        await client.query("COMMIT");
      }
      this.#options.afterCommit?.(batch.flatMap((u) => (u.outcome?.ok ? [u.outcome.value] : [])));
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

  /** False when the batch's statement failed: then nothing of it was committed. */
  async #applyAll(client: pg.PoolClient, batch: Pending<I, R>[]): Promise<boolean> {
    let values: R[];
    try {
      values = await this.#options.applyAll(
        client,
        batch.map((u) => u.item),
      );
    } catch {
      return false;
    }
    batch.forEach((unit, i) => (unit.outcome = { ok: true, value: values[i]! }));
    return true;
  }

  async #applyEach(client: pg.PoolClient, batch: Pending<I, R>[]): Promise<void> {
    for (const unit of batch) {
      await client.query("SAVEPOINT unit");
      try {
        unit.outcome = { ok: true, value: await this.#options.applyOne(client, unit.item) };
        await client.query("RELEASE SAVEPOINT unit");
      } catch (error) {
        unit.outcome = { ok: false, error };
        await client.query("ROLLBACK TO SAVEPOINT unit");
      }
    }
  }
}
