import { type NewEvent, newId } from "@bosun/core";
import type { AcceptResult, Claim, ClaimOptions, EventQuery, StoredEvent } from "../types.js";
import { limitOf } from "../rows.js";
import type { Queryable } from "./rows.js";
import { detailsColumn, imageColumn, queuedEvent, toEvent } from "../records.js";

const COLUMNS =
  "id, project, source, type, image, details, payload, delivery_id, received_at, state, attempts";

/** Two claims of one project's last slot serialise on this lock (held until their transaction ends). */
const PROJECT_LOCK = "SELECT pg_advisory_xact_lock(hashtext('bosun: project ' || $1))";

/** Inserts what is new; a (project, deliveryId) already present, even earlier in `events`, is a duplicate. */
export async function insertEvents(
  db: Queryable,
  events: readonly NewEvent[],
  receivedAt: string,
): Promise<AcceptResult> {
  const result: AcceptResult = { accepted: [], duplicates: [] };
  for (const e of events) {
    const id = newId();
    const image = imageColumn(e);
    const details = detailsColumn(e);
    const { rowCount } = await db.query(
      `INSERT INTO events (id, project, source, type, image, details, payload, delivery_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (project, delivery_id) DO NOTHING`,
      [id, e.project, e.source, e.type, JSON.stringify(image), details, e.payload, e.deliveryId, receivedAt],
    );
    if (rowCount === 1) {
      result.accepted.push(queuedEvent(id, e, image, details, receivedAt));
      continue;
    }
    const { rows } = await db.query(`SELECT ${COLUMNS} FROM events WHERE project = $1 AND delivery_id = $2`, [
      e.project,
      e.deliveryId,
    ]);
    if (!rows[0]) throw new Error(`event ${e.project}/${e.deliveryId} conflicted but cannot be read back`);
    result.duplicates.push(toEvent(rows[0]));
  }
  return result;
}

export async function getEvent(db: Queryable, id: string): Promise<StoredEvent | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : undefined;
}

export async function listEvents(db: Queryable, query: EventQuery): Promise<StoredEvent[]> {
  const limit = limitOf(query.limit, 100);
  const { rows } =
    query.project === undefined
      ? await db.query(`SELECT ${COLUMNS} FROM events ORDER BY id DESC LIMIT $1`, [limit])
      : await db.query(`SELECT ${COLUMNS} FROM events WHERE project = $1 ORDER BY id DESC LIMIT $2`, [
          query.project,
          limit,
        ]);
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

export async function finishEvent(db: Queryable, eventId: string, owner: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE events SET state = 'done', lease_expires_at = NULL
      WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [eventId, owner],
  );
  return (rowCount ?? 0) > 0;
}
