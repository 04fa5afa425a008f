import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type EventVerification,
  type ImageRef,
  type NewEvent,
  type NewImagePushEvent,
  newId,
} from "@bosun/core";
import {
  admissionKindOf,
  checksOtherSide,
  digestKeyOf,
  digestOnlyReason,
  holdMsOf,
  isSamePushFromOtherSide,
  judgePolicies,
  needsAdmission,
  policyRepositoryOf,
  tagKeyOf,
  withTag,
} from "../admission.js";
import {
  depthOf,
  type AcceptResult,
  type Claim,
  type ClaimOptions,
  type EventQuery,
  type QueueDepth,
  type StoredEvent,
} from "../types.js";
import { AdmissionTables } from "./admission.js";
import { PayloadTable, payloadHash } from "./payloads.js";
import { eventConditions, whereClause } from "../filters.js";
import { limitOf } from "./rows.js";
import { sqliteDialect } from "./runs.js";
import { detailsColumn, imageColumn, imageOf, queuedEvent, toEvent } from "../records.js";

/**
 * A body carried by several events of one call (a Quay push of many tags) is stored once, in the
 * payloads table, and those events refer to it by hash; a body of one event stays in its row, so the
 * common one-event push costs no hash and no second table.
 */
interface SharedBody {
  hash: Uint8Array;
  accepted: number;
}

/** What holds an event back, beside its row's usual columns. */
interface Hold {
  digestKey: string | null;
  kind: "digest-only" | "gather" | "merged" | null;
  untilMs: number | null;
  image: ImageRef | null;
  state: "queued" | "done";
}

/** An event's columns, with its body from wherever it is kept. */
const COLUMNS = `id, project, source, type, image, details, delivery_id, received_at, state, attempts, verification,
  CASE WHEN payload_hash IS NULL THEN payload
       ELSE (SELECT body FROM payloads WHERE hash = events.payload_hash) END AS payload`;

/**
 * The events table and the queue over it. Every method is synchronous and expects to be called either
 * inside a group-commit batch (writes) or on its own (reads).
 */
export class EventTable {
  readonly #payloads: PayloadTable;
  readonly #admission: AdmissionTables;
  readonly #insert: StatementSync;
  readonly #byDelivery: StatementSync;
  readonly #byId: StatementSync;
  readonly #db: DatabaseSync;
  /** One statement per combination of filters, so each can use its index. */
  readonly #lists = new Map<string, StatementSync>();
  readonly #claim: StatementSync;
  readonly #renew: StatementSync;
  readonly #finish: StatementSync;
  readonly #verified: StatementSync;
  readonly #deferred: StatementSync;
  readonly #depth: StatementSync;

  constructor(db: DatabaseSync) {
    this.#payloads = new PayloadTable(db);
    this.#admission = new AdmissionTables(db);
    // The partial index events_unfinished holds exactly these rows, so done events cost nothing.
    this.#depth = db.prepare("SELECT state, count(*) AS n FROM events WHERE state <> 'done' GROUP BY state");
    this.#insert = db.prepare(
      `INSERT INTO events (id, project, source, type, image, details, payload, payload_hash, delivery_id,
                           received_at, digest_key, hold_kind, hold_until, state, tag_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, delivery_id) DO NOTHING`,
    );
    this.#byDelivery = db.prepare(`SELECT ${COLUMNS} FROM events WHERE project = ? AND delivery_id = ?`);
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`);
    this.#db = db;
    // One statement, so choosing and leasing cannot be split by another connection's claim.
    // "state <> 'done'" repeats the partial index's condition so SQLite can walk that index.
    this.#claim = db.prepare(
      `UPDATE events
          SET state = 'running', attempts = attempts + 1, lease_owner = :owner, lease_expires_at = :expires
        WHERE id = (
          SELECT id FROM events
           WHERE state <> 'done'
             AND (state = 'queued' OR lease_expires_at <= :now)
             AND (hold_until IS NULL OR hold_until <= :now)
             AND project NOT IN (SELECT value FROM json_each(:skip))
           ORDER BY id
           LIMIT 1)
       RETURNING ${COLUMNS}`,
    );
    this.#renew = db.prepare(
      `UPDATE events SET lease_expires_at = ?
        WHERE id = ? AND lease_owner = ? AND state = 'running'`,
    );
    this.#verified = db.prepare(
      `UPDATE events SET verification = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`,
    );
    this.#deferred = db.prepare(
      `UPDATE events SET verification = ?, state = 'queued', lease_expires_at = NULL, hold_until = ?
        WHERE id = ? AND lease_owner = ? AND state = 'running'`,
    );
    this.#finish = db.prepare(
      `UPDATE events SET state = 'done', lease_expires_at = NULL
        WHERE id = ? AND lease_owner = ? AND state = 'running'`,
    );
  }

  /**
   * Inserts what is new; a (project, deliveryId) already present, even earlier in `events`, is a
   * duplicate. A body several of `events` carry goes to the payloads table once, after them, counted
   * by the events that were new (none: not stored); so a call of several events must run in a unit
   * of its own ("statements"), and a call of one event writes one statement unless the accept-time
   * rules apply to it (then it reads and writes more, in order: see ../admission.ts).
   */
  insert(events: readonly NewEvent[], receivedAt: string): AcceptResult {
    const result: AcceptResult = { accepted: [], duplicates: [], merged: [], declined: [] };
    const shared = sharedBodies(events);
    let lastBody: string | undefined;
    let body: SharedBody | undefined;
    for (const e of events) {
      if (e.payload !== lastBody) {
        lastBody = e.payload;
        body = shared.get(e.payload);
      }
      const earlier = needsAdmission(e) ? this.#byDelivery.get(e.project, e.deliveryId) : undefined;
      if (earlier) result.duplicates.push(toEvent(earlier));
      else if (e.image) this.#admit(e, body, receivedAt, result);
      else this.#insertRow(e, body, receivedAt, plainHold(e), result);
    }
    for (const [text, { hash, accepted }] of shared)
      if (accepted > 0) this.#payloads.add(hash, text, accepted);
    return result;
  }

  /** An image push, by the accept-time rules (../admission.ts), in order within the unit of work. */
  #admit(e: NewImagePushEvent, body: SharedBody | undefined, receivedAt: string, result: AcceptResult): void {
    if (checksOtherSide(e)) {
      const latest = this.#admission.latestOfTag(tagKeyOf(e)!);
      if (isSamePushFromOtherSide(e, latest)) {
        result.duplicates.push(this.get(latest!.id)!);
        return;
      }
    }
    const repository = policyRepositoryOf(e);
    const policies = judgePolicies(e, (key) => this.#admission.best(e.project, key, repository));
    for (const key of policies.advanced)
      this.#admission.setBest(e.project, key, repository, e.image.tag ?? "", receivedAt);
    if (!policies.taken) {
      result.declined.push({ event: e, reason: policies.reason });
      return;
    }
    const kind = admissionKindOf(e);
    const key = digestKeyOf(e) ?? null;
    if (kind === "plain" || key === null) {
      this.#insertRow(e, body, receivedAt, plainHold(e), result);
      return;
    }
    if (kind === "digest-only") {
      const earlier = this.#admission.earlierOfDigest(key);
      if (earlier !== undefined) {
        result.declined.push({ event: e, reason: digestOnlyReason(e, JSON.parse(earlier) as ImageRef) });
        return;
      }
      const until = Date.now() + holdMsOf(e);
      this.#insertRow(e, body, receivedAt, { ...plainHold(e), kind: "digest-only", untilMs: until }, result);
      return;
    }
    this.#admission.dropHeldDigestOnly(key);
    if (kind === "tagged") {
      this.#insertRow(e, body, receivedAt, plainHold(e), result);
      return;
    }
    const tag = e.image.tag ?? "";
    const gathering = this.#admission.gathering(key, Date.now());
    if (!gathering) {
      const until = Date.now() + (e.admission?.gatherMs ?? 0);
      const image = withTag(imageOf(e.image), tag);
      this.#insertRow(
        e,
        body,
        receivedAt,
        { ...plainHold(e), kind: "gather", untilMs: until, image },
        result,
      );
      return;
    }
    // The push is kept (done, never claimed) so that a redelivery of it is a duplicate, not a new event.
    const joined = withTag(JSON.parse(gathering.image) as ImageRef, tag);
    this.#admission.setImage(gathering.id, JSON.stringify(joined));
    const kept = { ...plainHold(e), kind: "merged", state: "done" } as const;
    this.#insertRow(e, body, receivedAt, kept, { accepted: [], duplicates: [], merged: [], declined: [] });
    result.merged.push(this.get(gathering.id)!);
  }

  /** Inserts one row; a (project, deliveryId) already present is a duplicate. */
  #insertRow(
    e: NewEvent,
    body: SharedBody | undefined,
    receivedAt: string,
    hold: Hold,
    result: AcceptResult,
  ): void {
    const id = newId();
    const image = hold.image;
    const details = detailsColumn(e);
    const { changes } = this.#insert.run(
      id,
      e.project,
      e.source,
      e.type,
      JSON.stringify(image),
      details,
      body ? "" : e.payload,
      body ? body.hash : null,
      e.deliveryId,
      receivedAt,
      hold.digestKey,
      hold.kind,
      hold.untilMs,
      hold.state,
      checksOtherSide(e) ? tagKeyOf(e)! : null,
    );
    // The stored row is exactly what was given, so it is not read back (the payload is the bulk of it).
    if (Number(changes) === 1) {
      if (body) body.accepted++;
      result.accepted.push(queuedEvent(id, e, image, details, receivedAt));
      return;
    }
    const earlier = this.#byDelivery.get(e.project, e.deliveryId);
    if (!earlier) throw new Error(`event ${e.project}/${e.deliveryId} conflicted but cannot be read back`);
    result.duplicates.push(toEvent(earlier));
  }

  get(id: string): StoredEvent | undefined {
    const row = this.#byId.get(id);
    return row ? toEvent(row) : undefined;
  }

  depth(): QueueDepth {
    return depthOf(this.#depth.all() as { state: string; n: number }[]);
  }

  list(query: EventQuery): StoredEvent[] {
    const params: unknown[] = [];
    const where = whereClause(eventConditions(query, sqliteDialect(params)));
    const sql = `SELECT ${COLUMNS} FROM events ${where} ORDER BY id DESC LIMIT ?`;
    let statement = this.#lists.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#lists.set(sql, statement);
    }
    return statement.all(...(params as string[]), limitOf(query.limit, 100)).map(toEvent);
  }

  claim(options: ClaimOptions): Claim | undefined {
    const at = Date.now();
    const row = this.#claim.get({
      owner: options.owner,
      expires: at + options.leaseMs,
      now: at,
      skip: JSON.stringify(options.skipProjects ?? []),
    });
    if (!row) return undefined;
    const event = toEvent(row);
    return { event, attempt: event.attempts };
  }

  renew(eventId: string, owner: string, leaseMs: number): boolean {
    return Number(this.#renew.run(Date.now() + leaseMs, eventId, owner).changes) > 0;
  }

  /** An unreachable registry hands the event back, held until its retryAt. */
  recordVerification(eventId: string, owner: string, verification: EventVerification): boolean {
    const json = JSON.stringify(verification);
    const { changes } =
      "unreachable" in verification
        ? this.#deferred.run(json, Date.parse(verification.retryAt), eventId, owner)
        : this.#verified.run(json, eventId, owner);
    return Number(changes) > 0;
  }

  finish(eventId: string, owner: string): boolean {
    return Number(this.#finish.run(eventId, owner).changes) > 0;
  }
}

/** An event held by nothing: stored as given, with its digest for the rules of later pushes. */
function plainHold(e: NewEvent): Hold {
  return {
    digestKey: digestKeyOf(e) ?? null,
    kind: null,
    untilMs: null,
    image: imageColumn(e),
    state: "queued",
  };
}

/** The bodies carried by more than one of `events`, each hashed once. */
function sharedBodies(events: readonly NewEvent[]): Map<string, SharedBody> {
  const shared = new Map<string, SharedBody>();
  if (events.length < 2) return shared;
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.payload, (counts.get(e.payload) ?? 0) + 1);
  for (const [text, n] of counts) if (n > 1) shared.set(text, { hash: payloadHash(text), accepted: 0 });
  return shared;
}
