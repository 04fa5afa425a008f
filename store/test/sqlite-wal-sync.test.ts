/** The WAL's fdatasync recovers once the file can be opened again, instead of failing for good. */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { walSyncer } from "../src/sqlite/wal-sync.js";

describe("SQLite store: syncing the WAL", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "bosun-wal-sync-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("opens the WAL file again on a later sync after opening it failed", async () => {
    const file = join(dir, "bosun.db");
    const wal = walSyncer(file, { close: async () => undefined });
    const first = await wal.sync().then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(first).to.equal("ENOENT");
    await writeFile(`${file}-wal`, "");
    // Within a few seconds (the retry waits a little after a failure), syncing works again.
    const deadline = Date.now() + 3_000;
    let outcome: unknown = "not tried";
    while (Date.now() < deadline) {
      outcome = await wal.sync().then(
        () => "synced",
        (err: NodeJS.ErrnoException) => err.code,
      );
      if (outcome === "synced") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(outcome).to.equal("synced");
    await wal.close();
  });
});
