import type pg from "pg";
import { StoreSchemaTooNewError } from "@bosun/core";

/**
 * Schema versions, applied in order and recorded in bosun_schema. Append new steps; never edit a
 * released one (databases in the field already ran it). Timestamps shown to users are RFC 3339 text,
 * as in the SQLite store; leases are timestamptz, compared with the database's clock, so workers on
 * several machines agree on when a lease ran out.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    id text PRIMARY KEY,
    project text NOT NULL,
    source text NOT NULL,
    type text NOT NULL,
    image text NOT NULL,
    payload text NOT NULL,
    delivery_id text NOT NULL,
    received_at text NOT NULL,
    state text NOT NULL DEFAULT 'queued',
    attempts integer NOT NULL DEFAULT 0,
    lease_owner text,
    lease_expires_at timestamptz,
    UNIQUE (project, delivery_id)
  );
  CREATE INDEX events_unfinished ON events (id) WHERE state <> 'done';
  CREATE INDEX events_by_project ON events (project, id);
  CREATE INDEX events_leased ON events (project) WHERE state = 'running';

  CREATE TABLE runs (
    id text PRIMARY KEY,
    event_id text NOT NULL,
    project text NOT NULL,
    attempt integer NOT NULL,
    handler text NOT NULL,
    status text NOT NULL,
    created_at text NOT NULL,
    finished_at text,
    error text
  );
  CREATE INDEX runs_by_project ON runs (project, id);
  CREATE INDEX runs_by_event ON runs (event_id, id);

  CREATE TABLE jobs (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    run_id text NOT NULL,
    name text NOT NULL,
    image text NOT NULL,
    status text NOT NULL,
    tasks text NOT NULL,
    env_names text NOT NULL,
    exit_code integer,
    created_at text NOT NULL,
    started_at text,
    finished_at text,
    error text
  );
  CREATE INDEX jobs_by_run ON jobs (run_id, seq);

  -- A sequence never hands out a number twice, so a reader following with afterSeq skips nothing.
  CREATE TABLE logs (
    seq bigserial PRIMARY KEY,
    run_id text NOT NULL,
    job_id text,
    stream text NOT NULL,
    text text NOT NULL,
    at text NOT NULL
  );
  CREATE INDEX logs_by_run ON logs (run_id, seq);

  CREATE TABLE credentials (
    project text NOT NULL,
    kind text NOT NULL,
    target text NOT NULL,
    username text NOT NULL,
    sealed text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (project, kind, target)
  );
  `,
  // Events created through the API: Brigade v2's qualifiers, labels and titles (EventDetails as JSON).
  // Such an event has no image: its image column holds the JSON null.
  `
  ALTER TABLE events ADD COLUMN details text;
  `,
  // Service accounts: named owners of logins (credentials.project 'serviceaccount/<name>') that
  // projects share.
  `
  CREATE TABLE service_accounts (
    name text PRIMARY KEY,
    created_at text NOT NULL
  );
  `,
  // Projects made through the API (`bosun project add`): the block as JSON, its secrets sealed.
  `
  CREATE TABLE projects (
    name text PRIMARY KEY,
    spec text NOT NULL,
    sealed text NOT NULL,
    revision integer NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL
  );
  `,
  // Runs asked for again (rerun, retry) and cancelled on request; jobs a retry reused, known by the
  // hash of their spec. A listing by status walks runs_by_status.
  `
  ALTER TABLE runs ADD COLUMN rerun_of text;
  ALTER TABLE runs ADD COLUMN retry_of text;
  ALTER TABLE runs ADD COLUMN requested_by text;
  ALTER TABLE runs ADD COLUMN cancel_requested_by text;
  ALTER TABLE jobs ADD COLUMN spec_hash text;
  ALTER TABLE jobs ADD COLUMN reused_run_id text;
  ALTER TABLE jobs ADD COLUMN reused_job_id text;
  CREATE INDEX runs_by_status ON runs (status, id);
  `,
  // One push, one run, and tag policies: the digest an image push is of (project, host/repository,
  // digest), what holds it back (a digest-only push waiting for its tagged one, or an event gathering
  // its digest's tags; "merged" for a push that joined one) and until when; each policy's best tag.
  `
  ALTER TABLE events ADD COLUMN digest_key text;
  ALTER TABLE events ADD COLUMN hold_kind text;
  ALTER TABLE events ADD COLUMN hold_until timestamptz;
  CREATE INDEX events_by_digest ON events (digest_key) WHERE digest_key IS NOT NULL;
  CREATE TABLE best_tags (
    project text NOT NULL,
    policy_key text NOT NULL,
    repository text NOT NULL,
    tag text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (project, policy_key, repository)
  );
  `,
  // Watched registries: each polled repository's tags as last recorded, and the lease of its scanner.
  `
  CREATE TABLE watched_repositories (
    account text NOT NULL,
    repository text NOT NULL,
    changes integer NOT NULL,
    recorded_at text,
    lease_owner text,
    lease_expires_at timestamptz,
    PRIMARY KEY (account, repository)
  );
  CREATE TABLE watched_tags (
    account text NOT NULL,
    repository text NOT NULL,
    tag text NOT NULL,
    digest text NOT NULL,
    PRIMARY KEY (account, repository, tag)
  );
  `,
  // The delivery log: every authenticated webhook request, its outcome and why (deliveries.ts).
  // seq bounds it (the newest `keep` are kept); id (a ULID, so in time order) orders, pages and ages
  // it. body_event: an event it created, whose payload is its body, kept once.
  `
  CREATE TABLE deliveries (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    registry text NOT NULL,
    received_at text NOT NULL,
    outcome text NOT NULL,
    headers text NOT NULL,
    body text NOT NULL,
    body_event text,
    body_truncated integer NOT NULL,
    images text NOT NULL,
    event_ids text NOT NULL,
    duplicate_of text NOT NULL,
    ignored text NOT NULL,
    problem text,
    replay_of text
  );
  `,
  // One push, one run across webhook and poll: the tag a push is of (project, host/repository, tag),
  // kept for the pushes of projects that hear a repository both ways, and its newest event found by it.
  `
  ALTER TABLE events ADD COLUMN tag_key text;
  CREATE INDEX events_by_tag ON events (tag_key, id) WHERE tag_key IS NOT NULL;
  `,
  // Verified webhooks: what the registry said of a push before it ran (core's EventVerification).
  `
  ALTER TABLE events ADD COLUMN verification text;
  `,
  // The webhooks Bosun keeps on registries for projects made through the API: each project's state
  // (the reconciler's JSON) and the lease of the process applying it.
  `
  CREATE TABLE project_webhooks (
    project text PRIMARY KEY,
    state text,
    updated_at text,
    lease_owner text,
    lease_expires_at timestamptz
  );
  `,
];

/** The newest schema version this Bosun knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Taken while migrating, so that several processes opening one database at once migrate it once. */
const MIGRATION_LOCK = "bosun: schema migration";

/**
 * Brings the database to the newest schema in one transaction, under an advisory lock; refuses a
 * database whose schema is newer than this Bosun knows.
 */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS bosun_schema (version integer NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM bosun_schema");
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StoreSchemaTooNewError(
        `PostgreSQL store: the database has schema version ${current}, newer than this Bosun knows ` +
          `(${SCHEMA_VERSION}); upgrade Bosun or point it at another database`,
      );
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version] ?? "");
    }
    if (rows.length === 0)
      await client.query("INSERT INTO bosun_schema (version) VALUES ($1)", [SCHEMA_VERSION]);
    else await client.query("UPDATE bosun_schema SET version = $1", [Math.max(current, SCHEMA_VERSION)]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
