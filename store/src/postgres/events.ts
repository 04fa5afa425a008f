import type pg from "pg";
import { type EventVerification, type NewEvent, newId } from "@bosun/core";
import {
  depthOf,
  type AcceptResult,
  type Claim,
  type ClaimOptions,
  type EventQuery,
  type QueueDepth,
  type StoredEvent,
} from "../types.js";
import { eventConditions, whereClause } from "../filters.js";
import { digestKeyOf } from "../admission.js";
import { limitOf } from "../rows.js";
import { postgresDialect } from "./runs.js";
import { ACCEPTED_CHANNEL } from "./notifications.js";
import type { Queryable } from "./rows.js";
import { detailsColumn, imageColumn, queuedEvent, toEvent } from "../records.js";

const COLUMNS =
  "id, project, source, type, image, details, payload, delivery_id, received_at, state, attempts, verification";

/** Two claims of one project's last slot serialise on this lock (held until their transaction ends). */
const PROJECT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('bosun: project ' || $1))";

export interface EventRow {
  id: string;
  event: NewEvent;
  image: ReturnType<typeof imageColumn>;
  details: string | null;
}

/** Each accept's events as rows, their ids chosen before the insert. */
export function eventRows(batches: readonly (readonly NewEvent[])[]): EventRow[][] {
  return batches.map((list) =>
    list.map((event) => ({ id: newId(), event, image: imageColumn(event), details: detailsColumn(event) })),
  );
}

/**
 * Inserts what is new of several accepts at once, their results in order: a (project, deliveryId)
 * already present, or earlier in the same batch, is a duplicate of the event stored first.
 * One statement writes (so it is atomic alone, also outside a transaction) and NOTIFYs `notice` of
 * the projects it stored events for, delivered on commit; one more reads back the duplicates.
 */
export async function insertEventBatches(
  db: pg.ClientBase,
  batches: readonly (readonly NewEvent[])[],
  receivedAt: string,
  notice: (projects: readonly string[]) => string,
): Promise<AcceptResult[]> {
  const rows = eventRows(batches);
  const flat = rows.flat();
  // A batch of deliveries that stored nothing (ignored ones) has no events to insert.
  const inserted =
    flat.length === 0
      ? []
      : await db
          .query<{ id: string }>({ ...INSERT_ROWS, values: insertValues(flat, receivedAt, notice) })
          .then((r) => r.rows.map((row) => row.id));
  return acceptResults(db, rows, new Set(inserted), receivedAt);
}

/** The accepts' results once their rows were inserted (those in `inserted`) or found present. */
export async function acceptResults(
  db: Queryable,
  rows: readonly EventRow[][],
  inserted: ReadonlySet<string>,
  receivedAt: string,
): Promise<AcceptResult[]> {
  const stored = await readDuplicates(
    db,
    rows.flat().filter((r) => !inserted.has(r.id)),
  );
  return rows.map((list) => {
    const result: AcceptResult = { accepted: [], duplicates: [], merged: [], declined: [] };
    for (const r of list) {
      if (inserted.has(r.id)) {
        result.accepted.push(queuedEvent(r.id, r.event, r.image, r.details, receivedAt));
        continue;
      }
      const first = stored.get(duplicateKey(r.event.project, r.event.deliveryId));
      if (!first)
        throw new Error(`event ${r.event.project}/${r.event.deliveryId} conflicted but cannot be read back`);
      result.duplicates.push(first);
    }
    return result;
  });
}

/** The results the accepts will have if every event is new: what their deliveries are recorded with first. */
export function hopedResults(rows: readonly EventRow[][], receivedAt: string): AcceptResult[] {
  return rows.map((list) => ({
    accepted: list.map((r) => queuedEvent(r.id, r.event, r.image, r.details, receivedAt)),
    duplicates: [],
    merged: [],
    declined: [],
  }));
}

/** Inserts what is new of one accept (the batch path, for one). */
export async function insertEvents(
  db: pg.ClientBase,
  events: readonly NewEvent[],
  receivedAt: string,
  notice: (projects: readonly string[]) => string,
): Promise<AcceptResult> {
  const [result] = await insertEventBatches(db, [events], receivedAt, notice);
  return result!;
}

/** The events' insert, as a CTE named `inserted` returning the ids it stored: $1 to $10. */
export const INSERT_EVENTS_CTE = `inserted AS (
      INSERT INTO events (id, project, source, type, image, details, payload, delivery_id, digest_key, received_at)
      SELECT id, project, source, type, image, details, payload, delivery_id, digest_key, $10
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[])
          AS r(id, project, source, type, image, details, payload, delivery_id, digest_key)
      ON CONFLICT (project, delivery_id) DO NOTHING
      RETURNING id)`;

/** NOTIFYs $11 once per inserted row: PostgreSQL delivers one payload once, so with none inserted nobody is told. */
export const NOTIFY_INSERTED = `pg_notify('${ACCEPTED_CHANNEL}', $11)`;

/** One prepared statement whatever the batch's size: its columns as arrays, unnested by the server. */
const INSERT_ROWS = {
  name: "bosun-insert-events-2",
  text: `WITH ${INSERT_EVENTS_CTE}
    SELECT id, ${NOTIFY_INSERTED} AS told FROM inserted`,
};

/** $1 to $11 of INSERT_EVENTS_CTE and NOTIFY_INSERTED. */
export function insertValues(
  rows: readonly EventRow[],
  receivedAt: string,
  notice: (projects: readonly string[]) => string,
): unknown[] {
  const column = (of: (r: EventRow) => string | null) => rows.map(of);
  return [
    column((r) => r.id),
    column((r) => r.event.project),
    column((r) => r.event.source),
    column((r) => r.event.type),
    column((r) => JSON.stringify(r.image)),
    column((r) => r.details),
    column((r) => r.event.payload),
    column((r) => r.event.deliveryId),
    column((r) => digestKeyOf(r.event) ?? null),
    receivedAt,
    notice([...new Set(rows.map((r) => r.event.project))]),
  ];
}

const duplicateKey = (project: string, deliveryId: string) => `${project}\u0000${deliveryId}`;

async function readDuplicates(db: Queryable, rows: readonly EventRow[]): Promise<Map<string, StoredEvent>> {
  const found = new Map<string, StoredEvent>();
  if (rows.length === 0) return found;
  const { rows: stored } = await db.query(
    `SELECT ${COLUMNS} FROM events
     WHERE (project, delivery_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [rows.map((r) => r.event.project), rows.map((r) => r.event.deliveryId)],
  );
  for (const row of stored) {
    const event = toEvent(row);
    found.set(duplicateKey(event.project, event.deliveryId), event);
  }
  return found;
}

export async function getEvent(db: Queryable, id: string): Promise<StoredEvent | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : undefined;
}

export async function queueDepth(db: Queryable): Promise<QueueDepth> {
  const { rows } = await db.query<{ state: string; n: string }>(
    "SELECT state, count(*) AS n FROM events WHERE state <> 'done' GROUP BY state",
  );
  return depthOf(rows);
}

export async function listEvents(db: Queryable, query: EventQuery): Promise<StoredEvent[]> {
  const params: unknown[] = [];
  const where = whereClause(eventConditions(query, postgresDialect(params)));
  params.push(limitOf(query.limit, 100));
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM events ${where} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEvent);
}

/**
 * Inside a transaction: takes the oldest claimable event no other transaction holds (SKIP LOCKED),
 * and, when the caller names project limits, leases it only while the project's unexpired leases,
 * counted under the project's advisory lock, leave a slot; a full project is skipped and the next
 * candidate tried. Leases run on the database's clock.
 */
export async function claimEvent(db: Queryable, options: ClaimOptions): Promise<Claim | undefined> {
  const skip = [...(options.skipProjects ?? [])];
  for (;;) {
    const { rows } = await db.query<{ id: string; project: string }>(
      `SELECT id, project FROM events
        WHERE state <> 'done'
          AND (state = 'queued' OR lease_expires_at <= now())
          AND (hold_until IS NULL OR hold_until <= now())
          AND NOT (project = ANY($1::text[]))
        ORDER BY id
        LIMIT 1
        FOR UPDATE SKIP LOCKED`,
      [skip],
    );
    const candidate = rows[0];
    if (!candidate) return undefined;
    const limit = options.concurrencyOf?.(candidate.project);
    if (limit !== undefined) {
      await db.query(PROJECT_LOCK, [candidate.project]);
      const leased = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events
          WHERE project = $1 AND state = 'running' AND lease_expires_at > clock_timestamp()`,
        [candidate.project],
      );
      if ((leased.rows[0]?.n ?? 0) >= limit) {
        skip.push(candidate.project);
        continue;
      }
    }
    const claimed = await db.query(
      `UPDATE events
          SET state = 'running', attempts = attempts + 1, lease_owner = $2,
              lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE id = $1
        RETURNING ${COLUMNS}`,
      [candidate.id, options.owner, options.leaseMs],
    );
    const event = toEvent(claimed.rows[0]!);
    return { event, attempt: event.attempts };
  }
}

export async function renewLease(
  db: Queryable,
  eventId: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE events SET lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
      WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [eventId, owner, leaseMs],
  );
  return (rowCount ?? 0) > 0;
}

/** An unreachable registry hands the event back, held until its retryAt. */
export async function recordVerification(
  db: Queryable,
  eventId: string,
  owner: string,
  verification: EventVerification,
): Promise<boolean> {
  const deferred = "unreachable" in verification;
  const { rowCount } = await db.query(
    `UPDATE events SET verification = $3,
            state = CASE WHEN $4::timestamptz IS NULL THEN state ELSE 'queued' END,
            lease_expires_at = CASE WHEN $4::timestamptz IS NULL THEN lease_expires_at END,
            hold_until = coalesce($4::timestamptz, hold_until)
      WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [eventId, owner, JSON.stringify(verification), deferred ? verification.retryAt : null],
  );
  return (rowCount ?? 0) > 0;
}

export async function finishEvent(db: Queryable, eventId: string, owner: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE events SET state = 'done', lease_expires_at = NULL
      WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [eventId, owner],
  );
  return (rowCount ?? 0) > 0;
}
