import type { DatabaseSync, StatementSync } from "node:sqlite";
import { busyDelay, isBusy } from "./busy.js";
import { closedError, unavailable } from "./unavailable.js";

/** What a unit of work may ask of the batch it runs in. */
export interface Batch {
  /** Runs `hook` once after the batch commits (the same function registered twice runs once). */
  afterCommit(hook: () => void): void;
}

/**
 * How a unit of work writes. "statement": at most one writing statement, which SQLite already makes
 * all-or-none on its own (a failed statement is undone without ending the transaction), so the unit
 * needs no SAVEPOINT of its own; that saves two statements on the hottest path (one accepted push).
 * "batch": several statements without a SAVEPOINT (which journals every page the unit touches, and
 * was measured to cost as much as the unit's own writes); a failure then fails the whole batch,
 * every unit in it rolled back, so the unit is still all-or-none. For units that fail only when the
 * database does (disk full, I/O), which would take the batch with it anyway.
 */
export type UnitShape = "statements" | "statement" | "batch";

interface Pending {
  doing: string;
  shape: UnitShape;
  work: (batch: Batch) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** performance.now() when submitted: how long it may still wait for another process's lock. */
  since: number;
}

export interface GroupCommitOptions {
  /**
   * Makes what was committed durable, off the event loop (an fdatasync of the WAL on libuv's thread
   * pool). Callers are answered only after it: a 2xx still means on disk, while the event loop goes
   * on reading the next batch instead of waiting in a synchronous fsync.
   */
  sync?: (() => Promise<void>) | undefined;
  /** How long a unit waits, in all, for a write lock held by another connection. Default 250. */
  busyBudgetMs?: number | undefined;
  /** Told how each batch ended: undefined once committed (and synced), else the failure. */
  onOutcome?: ((failure: unknown) => void) | undefined;
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
 * connection slipping in between; work functions must therefore be synchronous too. For the same
 * reason the connection has no busy timeout (it would sleep on the event loop): when another process
 * holds the write lock, the batch is tried again from a timer, with back-off, until its oldest units
 * have waited busyBudgetMs; those fail then, and the rest keep waiting.
 */
export class GroupCommitter {
  readonly #db: DatabaseSync;
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  #pending: Pending[] = [];
  #scheduled = false;
  #closing = false;
  #closed = false;
  /** Consecutive busy attempts, for the back-off; the timer of the next one. */
  #busyAttempts = 0;
  #retry: NodeJS.Timeout | undefined;
  readonly #sync: (() => Promise<void>) | undefined;
  readonly #busyBudgetMs: number;
  readonly #onOutcome: ((failure: unknown) => void) | undefined;

  constructor(db: DatabaseSync, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#sync = options.sync;
    this.#busyBudgetMs = options.busyBudgetMs ?? 250;
    this.#onOutcome = options.onOutcome;
    this.#savepoint = db.prepare("SAVEPOINT unit");
    this.#release = db.prepare("RELEASE unit");
    this.#rollbackTo = db.prepare("ROLLBACK TO unit");
  }

  /** Runs `work` in the next batch; resolves with its result once the batch is committed. */
  run<T>(doing: string, work: (batch: Batch) => T, shape: UnitShape = "statements"): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(doing));
    return new Promise<T>((resolve, reject) => {
      const since = performance.now();
      this.#pending.push({ doing, shape, work, resolve: resolve as (value: unknown) => void, reject, since });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued, then refuses new work. */
  close(): void {
    clearTimeout(this.#retry);
    this.#closing = true;
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
      const waiting = isBusy(err) && !this.#closing ? this.#stillWaiting(units, err) : [];
      if (waiting.length > 0) return this.#retryLater(waiting);
      this.#busyAttempts = 0;
      for (const u of units) u.reject(unavailable(u.doing, err, "could not start a write transaction"));
      this.#onOutcome?.(err);
      return;
    }
    this.#busyAttempts = 0;

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
          // SQLite undid the statement; some errors (disk full, I/O) end the whole transaction. A
          // "batch" unit's earlier statements stand, so nothing of the batch may be committed.
          if (!this.#db.isTransaction || unit.shape === "batch") broken = err;
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
      this.#onOutcome?.(broken);
      return;
    }

    if (!this.#sync) {
      this.#onOutcome?.(undefined);
      return settle(done, hooks);
    }
    this.#sync().then(
      () => {
        this.#onOutcome?.(undefined);
        settle(done, hooks);
      },
      (err: unknown) => {
        this.#onOutcome?.(err);
        for (const { unit } of done)
          unit.reject(unavailable(unit.doing, err, "could not make the commit durable"));
      },
    );
  }

  /** Fails the units whose wait for the lock would pass the budget; returns the others. */
  #stillWaiting(units: Pending[], busy: unknown): Pending[] {
    const next = performance.now() + busyDelay(this.#busyAttempts);
    const waiting: Pending[] = [];
    for (const u of units) {
      if (next - u.since <= this.#busyBudgetMs) waiting.push(u);
      else u.reject(unavailable(u.doing, busy, "could not start a write transaction"));
    }
    if (waiting.length < units.length) this.#onOutcome?.(busy);
    return waiting;
  }

  /** Puts the units back in front of what came meanwhile and tries again after the back-off. */
  #retryLater(waiting: Pending[]): void {
    this.#pending = waiting.concat(this.#pending);
    this.#scheduled = true;
    this.#retry = setTimeout(() => this.flush(), busyDelay(this.#busyAttempts++));
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
