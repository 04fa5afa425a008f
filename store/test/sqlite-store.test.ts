import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { StoreUnavailableError } from "@bosun/core";
import { openSqliteStore } from "../src/sqlite/index.js";
import type { Store } from "../src/types.js";
import { newEvent, storeContract } from "./store-contract.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "bosun-sqlite-"));
}

storeContract("sqlite", async () => {
  const dataDir = await tempDir();
  const store = await openSqliteStore({ dataDir });
  return {
    store,
    reopen: () => openSqliteStore({ dataDir }),
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe("SQLite store", function () {
  let dataDir: string;
  let store: Store;

  beforeEach(async function () {
    dataDir = await tempDir();
    store = await openSqliteStore({ dataDir, busyTimeoutMs: 50 });
  });

  afterEach(async function () {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A second connection to the same file, as another Bosun process would have. */
  function otherConnection(): DatabaseSync {
    return new DatabaseSync(join(dataDir, "bosun.db"), { timeout: 0 });
  }

  it("creates the data directory and a WAL-mode file", async function () {
    const nested = join(dataDir, "a", "b");
    const other = await openSqliteStore({ dataDir: nested, file: "custom.db" });
    await other.close();
    const db = new DatabaseSync(join(nested, "custom.db"));
    try {
      expect(db.prepare("PRAGMA journal_mode").get()?.["journal_mode"]).to.equal("wal");
      expect(db.prepare("PRAGMA user_version").get()?.["user_version"]).to.be.greaterThan(0);
    } finally {
      db.close();
    }
  });

  it("rejects with StoreUnavailableError while another connection holds the write lock, then recovers", async function () {
    const lock = otherConnection();
    const event = newEvent();
    try {
      lock.exec("BEGIN EXCLUSIVE");
      const outcome = await store.acceptEvents([event]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(outcome).to.be.instanceOf(StoreUnavailableError);
      expect((outcome as Error).message).to.match(/accepting 1 event failed/);
      expect((outcome as Error).message).to.match(/locked|busy/i);
      const ping = await store.ping().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(ping).to.be.instanceOf(StoreUnavailableError);
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
    expect(await store.listEvents()).to.deep.equal([]);
    const again = await store.acceptEvents([event]);
    expect(again.accepted).to.have.length(1);
    expect(again.duplicates).to.deep.equal([]);
  });

  it("rolls back only the failing call of a batch", async function () {
    // A trigger makes one insert fail inside the database, after validation has passed.
    const db = otherConnection();
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.delivery_id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END`);
    db.close();

    const good = newEvent();
    const alongside = newEvent();
    const [failed, other] = await Promise.allSettled([
      store.acceptEvents([good, newEvent({ deliveryId: "poison" })]),
      store.acceptEvents([alongside]),
    ]);
    expect(failed.status).to.equal("rejected");
    const reason = (failed as PromiseRejectedResult).reason as Error;
    expect(reason).to.be.instanceOf(StoreUnavailableError);
    expect(reason.message).to.match(/accepting 2 events failed: poisoned delivery/);
    expect(other.status).to.equal("fulfilled");
    const stored = (await store.listEvents()).map((e) => e.deliveryId);
    expect(stored).to.deep.equal([alongside.deliveryId]);
  });

  it("refuses a database written by a newer schema", async function () {
    await store.close();
    const db = otherConnection();
    db.exec("PRAGMA user_version = 999");
    db.close();
    const outcome = await openSqliteStore({ dataDir }).then(
      (s) => s.close(),
      (err: unknown) => err,
    );
    expect(outcome).to.be.instanceOf(StoreUnavailableError);
    expect((outcome as Error).message).to.match(/schema version 999/);
  });

  it("reports a file it cannot open as StoreUnavailableError", async function () {
    const outcome = await openSqliteStore({ dataDir, file: "." }).then(
      (s) => s.close(),
      (err: unknown) => err,
    );
    expect(outcome).to.be.instanceOf(StoreUnavailableError);
    expect((outcome as Error).message).to.match(/opening/);
  });

  it("has committed an accepted event before acceptEvents resolves (child killed with SIGKILL)", async function () {
    const index = new URL("../src/index.js", import.meta.url).href;
    const script = `
      import { openSqliteStore } from ${JSON.stringify(index)};
      const store = await openSqliteStore({ dataDir: ${JSON.stringify(dataDir)} });
      const event = JSON.parse(process.argv[1]);
      const { accepted } = await store.acceptEvents([event]);
      process.stdout.write("accepted " + accepted[0].id + "\\n");
      setInterval(() => {}, 1000); // stay alive until killed: no clean close, no exit handlers
    `;
    const event = newEvent({ deliveryId: "durable" });
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(event)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const id = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /accepted (\S+)\n/.exec(out);
        if (match) {
          child.kill("SIGKILL");
          resolve(match[1]!);
        }
      });
      child.on("exit", (code, signal) => {
        if (signal !== "SIGKILL") reject(new Error(`child exited early (${code ?? signal}): ${stderr}`));
      });
    });
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode ? resolve(0) : child.on("exit", resolve),
    );
    expect(child.signalCode).to.equal("SIGKILL");

    await store.close();
    store = await openSqliteStore({ dataDir });
    const stored = await store.getEvent(id);
    expect(stored).to.deep.include({ deliveryId: "durable", state: "queued", payload: event.payload });
  });
});
