import type { DatabaseSync } from "node:sqlite";
import { StoreSchemaTooNewError } from "@bosun/core";
import { payloadHash } from "./payloads.js";

/** A step is DDL, or code for what SQL alone cannot do (hashing existing rows). */
type Migration = string | ((db: DatabaseSync) => void);

/**
 * Schema versions, applied in order and recorded in PRAGMA user_version. Append new steps; never edit
 * a released one (databases in the field already ran it).
 *
 * No foreign keys: log retention and a future PostgreSQL store prune runs, jobs and logs on their own
 * schedule, and a dangling reference must never make a write fail.
 */
const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    image TEXT NOT NULL,              -- ImageRef as JSON
    payload TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_expires_at INTEGER,         -- epoch milliseconds
    UNIQUE (project, delivery_id)
  );
  -- The queue walks only unfinished events, oldest first.
  CREATE INDEX events_unfinished ON events (id) WHERE state <> 'done';
  CREATE INDEX events_by_project ON events (project, id);

  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    project TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    handler TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT                        -- RunError as JSON
  );
  CREATE INDEX runs_by_project ON runs (project, id);
  CREATE INDEX runs_by_event ON runs (event_id, id);

  CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY,          -- creation order
    id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    image TEXT NOT NULL,
    status TEXT NOT NULL,
    tasks TEXT NOT NULL,              -- JSON array
    env_names TEXT NOT NULL,          -- JSON array
    exit_code INTEGER,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    error TEXT
  );
  CREATE INDEX jobs_by_run ON jobs (run_id, seq);

  -- AUTOINCREMENT: a seq is never reused after retention deletes the newest rows, so a reader
  -- following with afterSeq cannot skip entries.
  CREATE TABLE logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    job_id TEXT,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX logs_by_run ON logs (run_id, seq);
  `,
  // Logins (`bosun login`): the password only ever sealed with the operator's key (credentials/sealer.ts).
  `
  CREATE TABLE credentials (
    project TEXT NOT NULL,
    kind TEXT NOT NULL,               -- docker | git
    target TEXT NOT NULL,             -- registry or git host, host[:port]
    username TEXT NOT NULL,
    sealed TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project, kind, target)
  );
  `,
  // A body shared by several events (a Quay push of thousands of tags makes an event per tag) once,
  // content-addressed: events.payload_hash refers to it, and events.payload is then ''. A body of a
  // single event stays in its row.
  (db) => {
    db.function("bosun_payload_hash", { deterministic: true }, (body) => payloadHash(String(body)));
    db.exec(`
      CREATE TABLE payloads (
        hash BLOB PRIMARY KEY,          -- SHA-256 of the body
        body TEXT NOT NULL,
        refs INTEGER NOT NULL           -- events whose payload_hash is this hash
      );
      ALTER TABLE events ADD COLUMN payload_hash BLOB;
      INSERT INTO payloads (hash, body, refs)
        SELECT bosun_payload_hash(payload), payload, count(*) FROM events GROUP BY payload HAVING count(*) > 1;
      UPDATE events SET payload_hash = bosun_payload_hash(payload), payload = ''
        WHERE payload IN (SELECT body FROM payloads);
      -- Whatever removes events (retention) takes along the bodies no event refers to any more.
      CREATE TRIGGER events_release_payload AFTER DELETE ON events WHEN OLD.payload_hash IS NOT NULL BEGIN
        UPDATE payloads SET refs = refs - 1 WHERE hash = OLD.payload_hash;
        DELETE FROM payloads WHERE hash = OLD.payload_hash AND refs <= 0;
      END;
    `);
  },
  // Readiness (Store.ping) rewrites this one row when no commit has told it lately whether one works.
  `
  CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY,
    filler BLOB NOT NULL
  );
  `,
  // Events created through the API: Brigade v2's qualifiers, labels and titles (EventDetails as JSON).
  // Such an event has no image: its image column holds the JSON null.
  `
  ALTER TABLE events ADD COLUMN details TEXT;
  `,
  // Service accounts: named owners of logins (credentials.project 'serviceaccount/<name>') that
  // projects share.
  `
  CREATE TABLE service_accounts (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  );
  `,
  // Projects made through the API (`bosun project add`): the block as JSON, its secrets sealed.
  `
  CREATE TABLE projects (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    sealed TEXT NOT NULL,
    revision INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // Runs asked for again (rerun, retry) and cancelled on request; jobs a retry reused, known by the
  // hash of their spec. A listing by status walks runs_by_status.
  `
  ALTER TABLE runs ADD COLUMN rerun_of TEXT;
  ALTER TABLE runs ADD COLUMN retry_of TEXT;
  ALTER TABLE runs ADD COLUMN requested_by TEXT;
  ALTER TABLE runs ADD COLUMN cancel_requested_by TEXT;
  ALTER TABLE jobs ADD COLUMN spec_hash TEXT;
  ALTER TABLE jobs ADD COLUMN reused_run_id TEXT;
  ALTER TABLE jobs ADD COLUMN reused_job_id TEXT;
  CREATE INDEX runs_by_status ON runs (status, id);
  `,
  // One push, one run, and tag policies: the digest an image push is of (project, host/repository,
  // digest), what holds it back (a digest-only push waiting for its tagged one, or an event gathering
  // its digest's tags; "merged" for a push that joined one) and until when; each policy's best tag.
  `
  ALTER TABLE events ADD COLUMN digest_key TEXT;
  ALTER TABLE events ADD COLUMN hold_kind TEXT;       -- digest-only | gather | merged
  ALTER TABLE events ADD COLUMN hold_until INTEGER;   -- epoch milliseconds; not claimed before
  CREATE INDEX events_by_digest ON events (digest_key) WHERE digest_key IS NOT NULL;
  CREATE TABLE best_tags (
    project TEXT NOT NULL,
    policy_key TEXT NOT NULL,                         -- the subscription's key (criteria and policy)
    repository TEXT NOT NULL,                         -- host/repository
    tag TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project, policy_key, repository)
  );
  `,
  // Watched registries: each polled repository's tags as last recorded, and the lease of its scanner.
  `
  CREATE TABLE watched_repositories (
    account TEXT NOT NULL,            -- the name in bosun.yaml's registries
    repository TEXT NOT NULL,
    changes INTEGER NOT NULL,         -- recordings so far; part of the delivery ids
    recorded_at TEXT,                 -- NULL: leased, never recorded
    lease_owner TEXT,
    lease_expires_at INTEGER,         -- epoch milliseconds
    PRIMARY KEY (account, repository)
  );
  CREATE TABLE watched_tags (
    account TEXT NOT NULL,
    repository TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (account, repository, tag)
  );
  `,
  // The delivery log: every authenticated webhook request, its outcome and why (DeliveryTable).
  // seq bounds it (the newest `keep` are kept); id (a ULID, so in time order) orders, pages and ages
  // it. No other index: each costs every push, and the log is small enough to scan.
  `
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    registry TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    headers TEXT NOT NULL,            -- JSON object
    body TEXT NOT NULL,               -- '' when body_event holds it
    body_event TEXT,                  -- an event it created, whose payload is the body: kept once
    body_truncated INTEGER NOT NULL,
    images TEXT NOT NULL,             -- JSON array of {repository, tag}
    event_ids TEXT NOT NULL,          -- JSON array
    duplicate_of TEXT NOT NULL,       -- JSON array
    ignored TEXT NOT NULL,            -- JSON array of {what, reasons}
    problem TEXT,                     -- {code, message} as JSON
    replay_of TEXT
  );
  `,
  // One push, one run across webhook and poll: the tag a push is of (project, host/repository, tag),
  // kept for the pushes of projects that hear a repository both ways, and its newest event found by it.
  `
  ALTER TABLE events ADD COLUMN tag_key TEXT;
  CREATE INDEX events_by_tag ON events (tag_key, id) WHERE tag_key IS NOT NULL;
  `,
  // Verified webhooks: what the registry said of a push before it ran (core's EventVerification).
  `
  ALTER TABLE events ADD COLUMN verification TEXT;
  `,
  // The webhooks Bosun keeps on registries for projects made through the API: each project's state
  // (the reconciler's JSON) and the lease of the process applying it.
  `
  CREATE TABLE project_webhooks (
    project TEXT PRIMARY KEY,
    state TEXT,                       -- NULL: leased, never recorded
    updated_at TEXT,
    lease_owner TEXT,
    lease_expires_at INTEGER          -- epoch milliseconds
  );
  `,
];

/** Brings the database to the newest schema; safe when several processes open the file at once. */
export function migrate(db: DatabaseSync): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const current = userVersion(db);
    if (current > MIGRATIONS.length) {
      throw new StoreSchemaTooNewError(
        `SQLite store: the database has schema version ${current}, newer than this Bosun knows ` +
          `(${MIGRATIONS.length}); upgrade Bosun or point it at another data directory`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      const step = MIGRATIONS[version];
      if (typeof step === "function") step(db);
      else db.exec(step ?? "");
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get();
  return Number(row?.["user_version"] ?? 0);
}
