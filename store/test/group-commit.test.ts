/**
 * The committer answers callers only once the commit is made durable, reports a failed sync, and
 * waits for another connection's write lock from timers, within a budget.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { StoreUnavailableError } from "@bosun/core";
import { GroupCommitter } from "../src/sqlite/group-commit.js";

describe("group commit: durability barrier", () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(":memory:");
    db.exec("CREATE TABLE t (v INTEGER)");
  });
  afterEach(() => db.close());

  it("answers a batch only after its sync, while the event loop goes on", async () => {
    let release!: () => void;
    const syncs: Promise<void>[] = [];
    const committer = new GroupCommitter(db, {
      sync: () => {
        const p = new Promise<void>((resolve) => (release = resolve));
        syncs.push(p);
        return p;
      },
    });
    let answered = false;
    const done = committer
      .run("inserting", () => db.prepare("INSERT INTO t VALUES (1)").run())
      .then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(syncs).to.have.length(1);
    expect(answered).to.equal(false);
    // Committed already (others may read it), but not acknowledged before the sync.
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).to.deep.equal({ n: 1 });
    release();
    await done;
    expect(answered).to.equal(true);
  });

  it("rejects the batch's callers with StoreUnavailableError when the sync fails", async () => {
    const committer = new GroupCommitter(db, { sync: () => Promise.reject(new Error("EIO: i/o error")) });
    const outcome = await committer
      .run("inserting", () => db.prepare("INSERT INTO t VALUES (1)").run())
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(outcome).to.be.instanceOf(StoreUnavailableError);
    expect((outcome as Error).message).to.contain("could not make the commit durable");
  });
});

describe("group commit: single-statement units", () => {
  let db: DatabaseSync;
  beforeEach(() => {
    db = new DatabaseSync(":memory:");
    db.exec("CREATE TABLE t (v INTEGER UNIQUE)");
  });
  afterEach(() => db.close());

  const count = () => Number(db.prepare("SELECT count(*) AS n FROM t").get()?.["n"]);

  it("undoes only the failing statement; the rest of the batch commits", async () => {
    const committer = new GroupCommitter(db);
    const insert = (v: number) => () => db.prepare("INSERT INTO t VALUES (?)").run(v);
    const outcomes = await Promise.allSettled([
      committer.run("first", insert(1), "statement"),
      // A multi-row statement whose second row collides: none of its rows may stay.
      committer.run("second", () => db.prepare("INSERT INTO t VALUES (2), (1)").run(), "statement"),
      committer.run("third", insert(3), "statement"),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
    expect(
      db
        .prepare("SELECT v FROM t ORDER BY v")
        .all()
        .map((r) => r["v"]),
    ).to.deep.equal([1, 3]);
  });

  it("fails the whole batch when a unit without a savepoint of its own fails after it wrote", async () => {
    const committer = new GroupCommitter(db);
    const insert = (v: number) => () => db.prepare("INSERT INTO t VALUES (?)").run(v);
    const outcomes = await Promise.allSettled([
      committer.run("first", insert(1), "statement"),
      // Its first row is written; its second collides: the first must not be committed alone.
      committer.run(
        "batch",
        () => {
          insert(2)();
          insert(1)();
        },
        "batch",
      ),
      committer.run("after", insert(3), "statement"),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(["rejected", "rejected", "rejected"]);
    for (const o of outcomes)
      expect((o as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
    expect(count()).to.equal(0);
    await committer.run("later", insert(4), "batch");
    expect(count()).to.equal(1);
  });

  it("fails the whole batch when a statement ended the transaction", async () => {
    const committer = new GroupCommitter(db);
    const outcomes = await Promise.allSettled([
      committer.run("first", () => db.prepare("INSERT INTO t VALUES (1)").run(), "statement"),
      // ROLLBACK stands for the errors (disk full, I/O) after which SQLite ends the transaction itself.
      committer.run(
        "ending",
        () => {
          db.exec("ROLLBACK");
          throw new Error("SQLITE_FULL: database or disk is full");
        },
        "statement",
      ),
      committer.run("after", () => db.prepare("INSERT INTO t VALUES (2)").run(), "statement"),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(["rejected", "rejected", "rejected"]);
    expect(count()).to.equal(0);
  });
});

describe("group commit: another connection holding the write lock", () => {
  let dir: string;
  let db: DatabaseSync;
  let other: DatabaseSync;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-group-commit-"));
    db = new DatabaseSync(join(dir, "t.db"), { timeout: 0 });
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER)");
    other = new DatabaseSync(join(dir, "t.db"), { timeout: 0 });
  });
  afterEach(() => {
    if (other.isTransaction) other.exec("ROLLBACK");
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Counts timer ticks while `work` runs: a wait on the event loop would let none through. */
  async function ticksDuring<T>(
    work: Promise<T>,
  ): Promise<{ outcome: PromiseSettledResult<T>; ticks: number }> {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const [outcome] = await Promise.allSettled([work]);
    clearInterval(timer);
    return { outcome, ticks };
  }

  it("commits once a brief lock is released, while the event loop goes on", async () => {
    const committer = new GroupCommitter(db);
    other.exec("BEGIN IMMEDIATE");
    setTimeout(() => other.exec("ROLLBACK"), 100);
    const { outcome, ticks } = await ticksDuring(
      committer.run("inserting", () => db.prepare("INSERT INTO t VALUES (1)").run()),
    );
    expect(outcome.status).to.equal("fulfilled");
    expect(ticks, "timer ticks while waiting for the lock").to.be.greaterThan(5);
    expect(db.prepare("SELECT count(*) AS n FROM t").get()?.["n"]).to.equal(1);
  });

  it("fails with StoreUnavailableError once the wait passes its budget, and commits later work", async () => {
    const committer = new GroupCommitter(db, { busyBudgetMs: 100 });
    other.exec("BEGIN IMMEDIATE");
    const { outcome, ticks } = await ticksDuring(
      committer.run("inserting", () => db.prepare("INSERT INTO t VALUES (1)").run()),
    );
    expect(outcome.status).to.equal("rejected");
    const reason = (outcome as PromiseRejectedResult).reason as Error;
    expect(reason).to.be.instanceOf(StoreUnavailableError);
    expect(reason.message).to.match(/locked|busy/i);
    expect(ticks).to.be.greaterThan(5);
    other.exec("ROLLBACK");
    await committer.run("inserting again", () => db.prepare("INSERT INTO t VALUES (2)").run());
    expect(
      db
        .prepare("SELECT v FROM t")
        .all()
        .map((r) => r["v"]),
    ).to.deep.equal([2]);
  });
});
