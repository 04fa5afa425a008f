/**
 * Request bodies are stored once (the payloads table), however many events a delivery makes and
 * however often it is redelivered; databases made before the table existed are migrated at open.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openSqliteStore } from "../src/sqlite/index.js";
import type { Store } from "../src/types.js";
import { newEvent } from "./store-contract.js";

/** Schema versions 1 and 2 exactly as Bosun created them before payloads had a table of their own. */
const OLD_SCHEMA = `
  CREATE TABLE events (
    id TEXT PRIMARY KEY, project TEXT NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL,
    image TEXT NOT NULL, payload TEXT NOT NULL, delivery_id TEXT NOT NULL, received_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT, lease_expires_at INTEGER, UNIQUE (project, delivery_id)
  );
  CREATE INDEX events_unfinished ON events (id) WHERE state <> 'done';
  CREATE INDEX events_by_project ON events (project, id);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY, event_id TEXT NOT NULL, project TEXT NOT NULL, attempt INTEGER NOT NULL,
    handler TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT, error TEXT
  );
  CREATE INDEX runs_by_project ON runs (project, id);
  CREATE INDEX runs_by_event ON runs (event_id, id);
  CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, name TEXT NOT NULL,
    image TEXT NOT NULL, status TEXT NOT NULL, tasks TEXT NOT NULL, env_names TEXT NOT NULL,
    exit_code INTEGER, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, error TEXT
  );
  CREATE INDEX jobs_by_run ON jobs (run_id, seq);
  CREATE TABLE logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, job_id TEXT, stream TEXT NOT NULL,
    text TEXT NOT NULL, at TEXT NOT NULL
  );
  CREATE INDEX logs_by_run ON logs (run_id, seq);
  CREATE TABLE credentials (
    project TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, username TEXT NOT NULL,
    sealed TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (project, kind, target)
  );
  PRAGMA user_version = 2;
`;

describe("SQLite store: payloads stored once", function () {
  this.timeout(30_000);
  let dataDir: string;
  let store: Store | undefined;

  beforeEach(async function () {
    dataDir = await mkdtemp(join(tmpdir(), "bosun-payloads-"));
  });

  afterEach(async function () {
    await store?.close();
    store = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Reads the file as another process would: what is really stored. */
  function inspect<T>(read: (db: DatabaseSync) => T): T {
    const db = new DatabaseSync(join(dataDir, "bosun.db"), { readOnly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  const count = (db: DatabaseSync, sql: string) => Number(db.prepare(sql).get()?.["n"]);

  /** One request for `tags` tags of one image: every event carries the same (large) body. */
  function delivery(tags: number, body: string, prefix = "d") {
    return Array.from({ length: tags }, (_, i) => newEvent({ payload: body, deliveryId: `${prefix}-${i}` }));
  }

  it("stores the body of a 5,000-event request once, and every event still reads it", async function () {
    store = await openSqliteStore({ dataDir });
    const body = JSON.stringify({ updated_tags: Array.from({ length: 5_000 }, (_, i) => `tag-${i}`) });
    const { accepted } = await store.acceptEvents(delivery(5_000, body));
    expect(accepted).to.have.length(5_000);

    const stored = inspect((db) => ({
      payloads: count(db, "SELECT count(*) AS n FROM payloads"),
      bytes: count(db, "SELECT sum(length(body)) AS n FROM payloads"),
      inRows: count(db, "SELECT sum(length(payload)) AS n FROM events"),
    }));
    expect(stored).to.deep.equal({ payloads: 1, bytes: body.length, inRows: 0 });

    expect((await store.getEvent(accepted[4_999]!.id))?.payload).to.equal(body);
    const listed = await store.listEvents({ limit: 5_000 });
    expect(listed.every((e) => e.payload === body)).to.equal(true);
    const claim = await store.claimEvent({ owner: "w", leaseMs: 60_000 });
    expect(claim?.event.payload).to.equal(body);
  });

  it("shares a body between redeliveries and leaves none behind for a delivery that was all duplicates", async function () {
    store = await openSqliteStore({ dataDir });
    const first = delivery(3, "body one");
    await store.acceptEvents(first);
    // The same delivery again, byte for byte, and again with a body that changed (a new timestamp).
    const again = await store.acceptEvents(delivery(3, "body one"));
    const changed = await store.acceptEvents(delivery(3, "body one, sent later"));
    expect([again.duplicates.length, changed.duplicates.length]).to.deep.equal([3, 3]);
    expect(changed.duplicates.map((e) => e.payload)).to.deep.equal(["body one", "body one", "body one"]);
    // The same body for events of another project is stored once as well.
    await store.acceptEvents(delivery(2, "body one", "other").map((e) => ({ ...e, project: "other" })));

    const bodies = inspect((db) =>
      db
        .prepare("SELECT body FROM payloads")
        .all()
        .map((r) => r["body"]),
    );
    expect(bodies).to.deep.equal(["body one"]);
    // Only the five stored events refer to it: with them gone, so is the body.
    await store.close();
    store = undefined;
    const db = new DatabaseSync(join(dataDir, "bosun.db"));
    db.exec("DELETE FROM events");
    expect(count(db, "SELECT count(*) AS n FROM payloads")).to.equal(0);
    db.close();
  });

  it("leaves no body behind for a call that fails inside the database", async function () {
    store = await openSqliteStore({ dataDir });
    const db = new DatabaseSync(join(dataDir, "bosun.db"));
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.delivery_id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END`);
    db.close();
    const [failed, fine] = await Promise.allSettled([
      store.acceptEvents([
        newEvent({ payload: "poisoned body" }),
        newEvent({ deliveryId: "poison", payload: "poisoned body" }),
      ]),
      store.acceptEvents(delivery(2, "fine body")),
    ]);
    expect([failed.status, fine.status]).to.deep.equal(["rejected", "fulfilled"]);
    const rows = inspect((db) => db.prepare("SELECT body, refs FROM payloads").all());
    expect(rows.map((r) => ({ ...r }))).to.deep.equal([{ body: "fine body", refs: 2 }]);
  });

  it("removes a body with the last event that refers to it", async function () {
    store = await openSqliteStore({ dataDir });
    const shared = await store.acceptEvents(delivery(2, "shared body", "s"));
    await store.acceptEvents(delivery(1, "own body", "o"));
    await store.close();
    store = undefined;

    const remaining = (deleteIds: string[]) => {
      const db = new DatabaseSync(join(dataDir, "bosun.db"));
      try {
        for (const id of deleteIds) db.prepare("DELETE FROM events WHERE id = ?").run(id);
        return db
          .prepare("SELECT body FROM payloads ORDER BY body")
          .all()
          .map((r) => r["body"]);
      } finally {
        db.close();
      }
    };
    const [a, b] = shared.accepted.map((e) => e.id);
    // A body of one event stays in its row; the shared one goes with the last event.
    expect(remaining([])).to.deep.equal(["shared body"]);
    expect(remaining([a!])).to.deep.equal(["shared body"]);
    expect(remaining([b!])).to.deep.equal([]);
    store = await openSqliteStore({ dataDir });
    expect((await store.listEvents()).map((e) => e.payload)).to.deep.equal(["own body"]);
  });

  it("migrates a database made by the earlier schema: shared bodies move to the payloads table", async function () {
    const db = new DatabaseSync(join(dataDir, "bosun.db"));
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(OLD_SCHEMA);
    const insert = db.prepare(
      `INSERT INTO events (id, project, source, type, image, payload, delivery_id, received_at, state, attempts)
       VALUES (?, 'webapp', 'quay', 'image_push', ?, ?, ?, '2026-12-01T00:00:00.000Z', ?, ?)`,
    );
    const image = (tag: string) =>
      JSON.stringify({ registry: "quay.io", repository: "org/app", tag, ref: `quay.io/org/app:${tag}` });
    insert.run("01OLD0000000000000000000A1", image("a"), "quay body", "q-1", "done", 1);
    insert.run("01OLD0000000000000000000A2", image("b"), "quay body", "q-2", "queued", 0);
    insert.run("01OLD0000000000000000000A3", image("c"), "hub body", "h-1", "queued", 0);
    db.close();

    store = await openSqliteStore({ dataDir });
    const events = await store.listEvents();
    expect(events.map((e) => [e.id, e.payload, e.state, e.image?.tag])).to.deep.equal([
      ["01OLD0000000000000000000A3", "hub body", "queued", "c"],
      ["01OLD0000000000000000000A2", "quay body", "queued", "b"],
      ["01OLD0000000000000000000A1", "quay body", "done", "a"],
    ]);
    expect((await store.claimEvent({ owner: "w", leaseMs: 60_000 }))?.event.payload).to.equal("quay body");
    const dup = await store.acceptEvents([newEvent({ deliveryId: "q-1", payload: "quay body" })]);
    expect(dup.duplicates.map((e) => e.id)).to.deep.equal(["01OLD0000000000000000000A1"]);

    const layout = inspect((db) => ({
      inRows: count(db, "SELECT count(*) AS n FROM events WHERE payload = 'quay body'"),
      payloads: db
        .prepare("SELECT body FROM payloads ORDER BY body")
        .all()
        .map((r) => r["body"]),
    }));
    expect(layout).to.deep.equal({ inRows: 0, payloads: ["quay body"] });
  });
});
