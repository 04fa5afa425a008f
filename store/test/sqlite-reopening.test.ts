/** A store whose database cannot be opened yet answers StoreUnavailableError, and opens it once it can. */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { StoreUnavailableError } from "@bosun/core";
import { openSqliteStoreReopening } from "../src/sqlite/reopening.js";
import type { Store } from "../src/types.js";
import { newEvent } from "./store-contract.js";

describe("SQLite store: opening again later", function () {
  this.timeout(20_000);
  let dataDir: string;
  let store: Store | undefined;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), "bosun-reopening-"))));
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err,
    );

  it("answers StoreUnavailableError while the file cannot be opened, then opens it and tells listeners", async () => {
    // A file where the database's directory should be: opening fails the way an unusable volume does.
    await writeFile(join(dataDir, "blocked"), "");
    const failures: string[] = [];
    store = await openSqliteStoreReopening({ dataDir, file: "blocked/bosun.db" }, (err) =>
      failures.push(err.message),
    );
    const heard: (readonly string[])[] = [];
    store.onEventsAccepted((projects) => heard.push(projects));
    expect(await failure(store.acceptEvents([newEvent()]))).to.be.instanceOf(StoreUnavailableError);
    expect(await failure(store.ping())).to.be.instanceOf(StoreUnavailableError);
    expect(failures.length).to.be.greaterThan(0);

    await rm(join(dataDir, "blocked"));
    const event = newEvent({ project: "later" });
    const deadline = Date.now() + 5_000;
    let accepted: string[] = [];
    while (Date.now() < deadline && accepted.length === 0) {
      accepted = await store.acceptEvents([event]).then(
        (r) => r.accepted.map((e) => e.id),
        () => [],
      );
      if (accepted.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(accepted).to.have.length(1);
    expect((await store.getEvent(accepted[0]!))?.project).to.equal("later");
    expect(heard).to.deep.equal([["later"]]);
    await store.ping();
  });

  it("still refuses a database written by a newer schema", async () => {
    const db = new DatabaseSync(join(dataDir, "bosun.db"));
    db.exec("PRAGMA user_version = 999");
    db.close();
    const outcome = await failure(openSqliteStoreReopening({ dataDir }));
    expect(outcome).to.be.instanceOf(StoreUnavailableError);
    expect((outcome as Error).message).to.match(/schema version 999/);
  });
});
