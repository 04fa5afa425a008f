/** The committer answers callers only once the commit is made durable, and reports a failed sync. */
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { StoreUnavailableError } from "../src/index.js";
import { GroupCommitter } from "../src/store/sqlite/group-commit.js";

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
    const committer = new GroupCommitter(db, () => {
      const p = new Promise<void>((resolve) => (release = resolve));
      syncs.push(p);
      return p;
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
    const committer = new GroupCommitter(db, () => Promise.reject(new Error("EIO: i/o error")));
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
