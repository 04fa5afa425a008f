/**
 * The WAL is emptied into the database file by a worker thread, not by the connection that answers
 * webhooks; when the store closes, the thread is gone and every event is in the file.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../src/sqlite/index.js";
import { newEvent } from "./store-contract.js";

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

describe("SQLite store: checkpoints off the event loop", function () {
  this.timeout(20_000);
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), "bosun-checkpoint-"))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it("copies committed pages into the database file while the store is open", async () => {
    const store = await openSqliteStore({ dataDir });
    const file = join(dataDir, "bosun.db");
    const before = size(file);
    // Distinct bodies: identical ones would be stored once.
    const payload = (i: number, j: number) => `${i}-${j}-${"x".repeat(2000)}`;
    // About 1500 pages: beyond SQLite's default automatic checkpoint (1000), below the store's backstop.
    for (let i = 0; i < 30; i++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          store.acceptEvents([{ ...newEvent({ deliveryId: `d-${i}-${j}` }), payload: payload(i, j) }]),
        ),
      );
    }
    const deadline = Date.now() + 5000;
    while (size(file) <= before + 3_000_000 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(size(file), "database file after the checkpoints").to.be.greaterThan(before + 3_000_000);
    await store.close();
  });

  it("ends its thread on close, leaving every event in the file", async () => {
    const store = await openSqliteStore({ dataDir });
    await store.acceptEvents([newEvent({ deliveryId: "only" })]);
    await store.close();
    expect(size(join(dataDir, "bosun.db-wal")), "WAL after close").to.equal(0);
    const db = new DatabaseSync(join(dataDir, "bosun.db"), { readOnly: true });
    expect(db.prepare("SELECT count(*) AS n FROM events").get()?.["n"]).to.equal(1);
    db.close();
  });

  it("closes in a process with nothing else to do, so what follows the close runs", () => {
    const index = new URL("../src/sqlite/index.js", import.meta.url).href;
    const program = [
      `const { openSqliteStore } = await import(${JSON.stringify(index)});`,
      `const store = await openSqliteStore({ dataDir: ${JSON.stringify(dataDir)} });`,
      "await store.close();",
      'console.log("closed");',
    ].join("\n");
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(child.stdout + child.stderr).to.contain("closed");
    expect(child.status).to.equal(0);
  });
});
