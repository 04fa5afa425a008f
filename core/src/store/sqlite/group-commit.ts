import type { DatabaseSync, StatementSync } from "node:sqlite";
import { closedError, unavailable } from "./unavailable.js";

/** What a unit of work may ask of the batch it runs in. */
export interface Batch {
  /** Runs `hook` once after the batch commits (the same function registered twice runs once). */
  afterCommit(hook: () => void): void;
}

/**
 * How a unit of work writes. "statement": a unit that leaves nothing behind when it throws: at most one
 * writing statement, which SQLite already makes all-or-none on its own (a failed statement is undone
 * without ending the transaction), or several whose unit undoes its own writes (ending the transaction
 * when it cannot). It needs no SAVEPOINT of its own; that saves two statements on the hottest path
 * (one accepted push).
 */
export type UnitShape = "statements" | "statement";

interface Pending {
  doing: string;
  shape: UnitShape;
  work: (batch: Batch) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. A durable COMMIT needs an fsync, which caps a one-transaction-per-call store at a few
 * hundred writes a second. Instead, writes submitted while a flush is pending are queued and committed
 * together on the next turn of the event loop: one transaction, one sync. With a `sync` function (the
 * WAL's fdatasync, off the event loop), the COMMIT itself does not wait for the disk.
 *
 * Each unit of work runs inside its own SAVEPOINT, so one caller's failure rolls back only that
 * caller's changes (its own all-or-none) and the others still commit. Every caller resolves only after
 * the COMMIT that includes its work, and its sync, have completed, i.e. after its changes are durable.
 *
 * node:sqlite is synchronous, so a flush runs start to finish without another statement on this
 * connection slipping in between; work functions must therefore be synchronous too.
 */
export class GroupCommitter {
  readonly #db: DatabaseSync;
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  #pending: Pending[] = [];
  #scheduled = false;
  #closed = false;

  /**
   * Makes what was committed durable, off the event loop (an fdatasync of the WAL on libuv's thread
   * pool). Callers are answered only after it: a 2xx still means on disk, while the event loop goes
   * on reading the next batch instead of waiting in a synchronous fsync.
   */
  readonly #sync: (() => Promise<void>) | undefined;

  constructor(db: DatabaseSync, sync?: () => Promise<void>) {
    this.#db = db;
    this.#sync = sync;
    this.#savepoint = db.prepare("SAVEPOINT unit");
    this.#release = db.prepare("RELEASE unit");
    this.#rollbackTo = db.prepare("ROLLBACK TO unit");
  }

  /** Runs `work` in the next batch; resolves with its result once the batch is committed. */
  run<T>(doing: string, work: (batch: Batch) => T, shape: UnitShape = "statements"): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(doing));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ doing, shape, work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued, then refuses new work. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  /** Commits everything queued so far as one transaction. */
  flush(): void {
    this.#scheduled = false;
    const units = this.#pending;
    this.#pending = [];
    if (units.length === 0) return;

    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      for (const u of units) u.reject(unavailable(u.doing, err, "could not start a write transaction"));
      return;
    }

    const done: { unit: Pending; value: unknown }[] = [];
    const hooks = new Set<() => void>();
    let broken: unknown;
    for (const unit of units) {
      if (broken !== undefined) {
        unit.reject(unavailable(unit.doing, broken, "the transaction was aborted"));
        continue;
      }
      const unitHooks: (() => void)[] = [];
      const savepoint = unit.shape === "statements";
      try {
        if (savepoint) this.#savepoint.run();
      } catch (err) {
        broken = err;
        unit.reject(unavailable(unit.doing, err));
        continue;
      }
      try {
        const value = unit.work({ afterCommit: (hook) => unitHooks.push(hook) });
        if (savepoint) this.#release.run();
        done.push({ unit, value });
        for (const hook of unitHooks) hooks.add(hook);
      } catch (err) {
        unit.reject(unavailable(unit.doing, err));
        if (!savepoint) {
          // SQLite undid the statement; some errors (disk full, I/O) end the whole transaction.
          if (!this.#db.isTransaction) broken = err;
          continue;
        }
        try {
          this.#rollbackTo.run();
          this.#release.run();
        } catch (rollbackErr) {
          broken = rollbackErr;
        }
      }
    }

    if (broken === undefined) {
      try {
        this.#db.exec("COMMIT");
      } catch (err) {
        broken = err;
      }
    }
    if (broken !== undefined) {
      this.#rollbackQuietly();
      for (const { unit } of done) unit.reject(unavailable(unit.doing, broken, "could not commit"));
      return;
    }

    if (!this.#sync) return settle(done, hooks);
    this.#sync().then(
      () => settle(done, hooks),
      (err: unknown) => {
        for (const { unit } of done)
          unit.reject(unavailable(unit.doing, err, "could not make the commit durable"));
      },
    );
  }

  #rollbackQuietly(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
    } catch {
      // The caller already reports the original failure; SQLite may have rolled back on its own.
    }
  }
}

function settle(done: { unit: Pending; value: unknown }[], hooks: Set<() => void>): void {
  for (const { unit, value } of done) unit.resolve(value);
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // Hooks are notifications; one that throws must not undo a commit that already happened.
    }
  }
}
