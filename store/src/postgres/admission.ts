/**
 * The accept-time rules (../admission.ts) on PostgreSQL, for accepts that read before they write.
 * Gateways on several machines share the database, so each accept takes advisory locks on the digests
 * and best tags it touches (in one order, so two accepts cannot deadlock) before it reads them, and
 * holds them until its transaction ends.
 */
import { type ImageRef, type NewEvent, type NewImagePushEvent, newId } from "@bosun/core";
import {
  admissionKindOf,
  checksOtherSide,
  digestKeyOf,
  digestOnlyReason,
  holdMsOf,
  isSamePushFromOtherSide,
  judgePolicies,
  policiesOf,
  policyRepositoryOf,
  tagKeyOf,
  withTag,
} from "../admission.js";
import { detailsColumn, imageColumn, imageOf, queuedEvent, toEvent } from "../records.js";
import type { AcceptResult } from "../types.js";
import { ACCEPTED_CHANNEL } from "./notifications.js";
import type { Queryable } from "./rows.js";

const COLUMNS =
  "id, project, source, type, image, details, payload, delivery_id, received_at, state, attempts, verification";

/**
 * Takes the locks in one statement, in the order of the array, which is sorted here (every accept
 * takes its locks in the same order, so two cannot wait on each other); each waits for the accept
 * holding it to commit.
 */
export async function lock(db: Queryable, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended(name, 0)) FROM unnest($1::text[]) AS name", [
    [...new Set(names)].sort(),
  ]);
}

const policyLock = (project: string, key: string, repository: string) =>
  ["best", project, key, repository].join(" ");

export const digestLock = (key: string) => `digest ${key}`;

const tagLock = (key: string) => `tag ${key}`;

/** The locks of a list of events: their digests, their tags when checked, the best tags they are judged by. */
export function locksOf(events: readonly NewEvent[]): string[] {
  const names: string[] = [];
  for (const e of events) {
    const key = digestKeyOf(e);
    if (key !== undefined) names.push(digestLock(key));
    if (checksOtherSide(e)) names.push(tagLock(tagKeyOf(e)!));
    if (e.image)
      for (const p of policiesOf(e)) names.push(policyLock(e.project, p.key, policyRepositoryOf(e)));
  }
  return names;
}

interface Hold {
  kind: "digest-only" | "gather" | "merged" | null;
  holdMs: number | null;
  image: ImageRef | null;
  state: "queued" | "done";
}

/**
 * Inside a transaction: the events in order, by the rules; NOTIFYs `notice` (delivered on commit)
 * when one was stored.
 */
export async function admitEvents(
  db: Queryable,
  events: readonly NewEvent[],
  receivedAt: string,
  notice: (projects: readonly string[]) => string,
): Promise<AcceptResult> {
  await lock(db, locksOf(events));
  const result: AcceptResult = { accepted: [], duplicates: [], merged: [], declined: [] };
  for (const e of events) {
    const { rows } = await db.query(`SELECT ${COLUMNS} FROM events WHERE project = $1 AND delivery_id = $2`, [
      e.project,
      e.deliveryId,
    ]);
    if (rows[0]) result.duplicates.push(toEvent(rows[0]));
    else if (e.image) await admit(db, e, receivedAt, result);
    else await insertRow(db, e, receivedAt, plain(e), result);
  }
  if (result.accepted.length > 0)
    await db.query("SELECT pg_notify($1, $2)", [
      ACCEPTED_CHANNEL,
      notice([...new Set(result.accepted.map((a) => a.project))]),
    ]);
  return result;
}

async function admit(db: Queryable, e: NewImagePushEvent, receivedAt: string, result: AcceptResult) {
  if (checksOtherSide(e)) {
    const { rows } = await db.query(
      `SELECT ${COLUMNS}, digest_key FROM events WHERE tag_key = $1 ORDER BY id DESC LIMIT 1`,
      [tagKeyOf(e)],
    );
    const latest = rows[0] as { source: string; digest_key: string | null } | undefined;
    if (latest && isSamePushFromOtherSide(e, { source: latest.source, digestKey: latest.digest_key })) {
      result.duplicates.push(toEvent(rows[0]!));
      return;
    }
  }
  const repository = policyRepositoryOf(e);
  const best = new Map<string, string>();
  for (const { key } of policiesOf(e)) {
    const { rows } = await db.query<{ tag: string }>(
      "SELECT tag FROM best_tags WHERE project = $1 AND policy_key = $2 AND repository = $3",
      [e.project, key, repository],
    );
    if (rows[0]) best.set(key, rows[0].tag);
  }
  const policies = judgePolicies(e, (key) => best.get(key));
  for (const key of policies.advanced)
    await db.query(
      `INSERT INTO best_tags (project, policy_key, repository, tag, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (project, policy_key, repository) DO UPDATE SET tag = excluded.tag, updated_at = excluded.updated_at`,
      [e.project, key, repository, e.image.tag ?? "", receivedAt],
    );
  if (!policies.taken) {
    result.declined.push({ event: e, reason: policies.reason });
    return;
  }
  const kind = admissionKindOf(e);
  const key = digestKeyOf(e);
  if (kind === "plain" || key === undefined) return insertRow(db, e, receivedAt, plain(e), result);
  if (kind === "digest-only") {
    const { rows } = await db.query<{ image: string }>(
      `SELECT image FROM events WHERE digest_key = $1 ORDER BY (hold_kind = 'digest-only'), id LIMIT 1`,
      [key],
    );
    if (rows[0]) {
      result.declined.push({ event: e, reason: digestOnlyReason(e, JSON.parse(rows[0].image) as ImageRef) });
      return;
    }
    return insertRow(db, e, receivedAt, { ...plain(e), kind: "digest-only", holdMs: holdMsOf(e) }, result);
  }
  await dropHeldDigestOnly(db, [key]);
  if (kind === "tagged") return insertRow(db, e, receivedAt, plain(e), result);
  const tag = e.image.tag ?? "";
  const { rows } = await db.query<{ id: string; image: string }>(
    `SELECT id, image FROM events
      WHERE digest_key = $1 AND hold_kind = 'gather' AND state = 'queued' AND hold_until > clock_timestamp()
      ORDER BY id LIMIT 1 FOR UPDATE`,
    [key],
  );
  const gathering = rows[0];
  if (!gathering) {
    const image = withTag(imageOf(e.image), tag);
    const hold = { ...plain(e), kind: "gather", holdMs: e.admission?.gatherMs ?? 0, image } as const;
    return insertRow(db, e, receivedAt, hold, result);
  }
  // The push is kept (done, never claimed) so that a redelivery of it is a duplicate, not a new event.
  const joined = withTag(JSON.parse(gathering.image) as ImageRef, tag);
  const { rows: updated } = await db.query(
    `UPDATE events SET image = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [gathering.id, JSON.stringify(joined)],
  );
  const kept = { ...plain(e), kind: "merged", state: "done" } as const;
  await insertRow(db, e, receivedAt, kept, { accepted: [], duplicates: [], merged: [], declined: [] });
  result.merged.push(toEvent(updated[0]!));
}

/** Drops the digest-only pushes of these digests that no worker took yet. */
export async function dropHeldDigestOnly(db: Queryable, keys: readonly string[]): Promise<void> {
  await db.query(
    `DELETE FROM events WHERE digest_key = ANY($1::text[]) AND hold_kind = 'digest-only' AND state = 'queued'`,
    [keys],
  );
}

function plain(e: NewEvent): Hold {
  return { kind: null, holdMs: null, image: imageColumn(e), state: "queued" };
}

async function insertRow(db: Queryable, e: NewEvent, receivedAt: string, hold: Hold, result: AcceptResult) {
  const id = newId();
  const details = detailsColumn(e);
  const { rowCount } = await db.query(
    `INSERT INTO events (id, project, source, type, image, details, payload, delivery_id, received_at,
                         digest_key, hold_kind, hold_until, state, tag_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
             clock_timestamp() + $12::integer * interval '1 millisecond', $13, $14)
     ON CONFLICT (project, delivery_id) DO NOTHING`,
    [
      id,
      e.project,
      e.source,
      e.type,
      JSON.stringify(hold.image),
      details,
      e.payload,
      e.deliveryId,
      receivedAt,
      digestKeyOf(e) ?? null,
      hold.kind,
      hold.holdMs,
      hold.state,
      checksOtherSide(e) ? tagKeyOf(e)! : null,
    ],
  );
  if ((rowCount ?? 0) > 0) {
    result.accepted.push(queuedEvent(id, e, hold.image, details, receivedAt));
    return;
  }
  // Another process stored the same delivery meanwhile (an event no lock of ours covers).
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM events WHERE project = $1 AND delivery_id = $2`, [
    e.project,
    e.deliveryId,
  ]);
  if (!rows[0]) throw new Error(`event ${e.project}/${e.deliveryId} conflicted but cannot be read back`);
  result.duplicates.push(toEvent(rows[0]));
}
