import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type NewEvent, newId } from "@bosun/core";
import {
  depthOf,
  type AcceptResult,
  type Claim,
  type ClaimOptions,
  type EventQuery,
  type QueueDepth,
  type StoredEvent,
} from "../types.js";
import { PayloadTable, payloadHash } from "./payloads.js";
import { limitOf } from "./rows.js";
import { detailsColumn, imageColumn, queuedEvent, toEvent } from "../records.js";

/**
 * A body carried by several events of one call (a Quay push of many tags) is stored once, in the
 * payloads table, and those events refer to it by hash; a body of one event stays in its row, so the
 * common one-event push costs no hash and no second table.
 */
interface SharedBody {
  hash: Uint8Array;
  accepted: number;
}

/** An event's columns, with its body from wherever it is kept. */
const COLUMNS = `id, project, source, type, image, details, delivery_id, received_at, state, attempts,
  CASE WHEN payload_hash IS NULL THEN payload
       ELSE (SELECT body FROM payloads WHERE hash = events.payload_hash) END AS payload`;

/**
 * The events table and the queue over it. Every method is synchronous and expects to be called either
 * inside a group-commit batch (writes) or on its own (reads).
 */
export class EventTable {
  readonly #payloads: PayloadTable;
  readonly #insert: StatementSync;
  readonly #byDelivery: StatementSync;
  readonly #byId: StatementSync;
  readonly #list: StatementSync;
  readonly #listByProject: StatementSync;
  readonly #claim: StatementSync;
  readonly #renew: StatementSync;
  readonly #finish: StatementSync;
  readonly #depth: StatementSync;

  constructor(db: DatabaseSync) {
    this.#payloads = new PayloadTable(db);
    // The partial index events_unfinished holds exactly these rows, so done events cost nothing.
    this.#depth = db.prepare("SELECT state, count(*) AS n FROM events WHERE state <> 'done' GROUP BY state");
    this.#insert = db.prepare(
      `INSERT INTO events (id, project, source, type, image, details, payload, payload_hash, delivery_id, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, delivery_id) DO NOTHING`,
    );
    this.#byDelivery = db.prepare(`SELECT ${COLUMNS} FROM events WHERE project = ? AND delivery_id = ?`);
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`);
    this.#list = db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY id DESC LIMIT ?`);
    this.#listByProject = db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE project = ? ORDER BY id DESC LIMIT ?`,
    );
    // One statement, so choosing and leasing cannot be split by another connection's claim.
    // "state <> 'done'" repeats the partial index's condition so SQLite can walk that index.
    this.#claim = db.prepare(
      `UPDATE events
          SET state = 'running', attempts = attempts + 1, lease_owner = :owner, lease_expires_at = :expires
        WHERE id = (
          SELECT id FROM events
           WHERE state <> 'done'
             AND (state = 'queued' OR lease_expires_at <= :now)
             AND project NOT IN (SELECT value FROM json_each(:skip))
           ORDER BY id
           LIMIT 1)
       RETURNING ${COLUMNS}`,
    );
    this.#renew = db.prepare(
      `UPDATE events SET lease_expires_at = ?
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
   * of its own ("statements"), and a call of one event writes one statement.
   */
  insert(events: readonly NewEvent[], receivedAt: string): AcceptResult {
    const result: AcceptResult = { accepted: [], duplicates: [] };
    const shared = sharedBodies(events);
    let lastBody: string | undefined;
    let body: SharedBody | undefined;
    for (const e of events) {
      if (e.payload !== lastBody) {
        lastBody = e.payload;
        body = shared.get(e.payload);
      }
      const id = newId();
      const image = imageColumn(e);
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
      );
      // The stored row is exactly what was given, so it is not read back (the payload is the bulk of it).
      if (Number(changes) === 1) {
        if (body) body.accepted++;
        result.accepted.push(queuedEvent(id, e, image, details, receivedAt));
        continue;
      }
      const earlier = this.#byDelivery.get(e.project, e.deliveryId);
      if (!earlier) throw new Error(`event ${e.project}/${e.deliveryId} conflicted but cannot be read back`);
      result.duplicates.push(toEvent(earlier));
    }
    for (const [text, { hash, accepted }] of shared)
      if (accepted > 0) this.#payloads.add(hash, text, accepted);
    return result;
  }

  get(id: string): StoredEvent | undefined {
    const row = this.#byId.get(id);
    return row ? toEvent(row) : undefined;
  }

  depth(): QueueDepth {
    return depthOf(this.#depth.all() as { state: string; n: number }[]);
  }

  list(query: EventQuery): StoredEvent[] {
    const limit = limitOf(query.limit, 100);
    const rows =
      query.project === undefined ? this.#list.all(limit) : this.#listByProject.all(query.project, limit);
    return rows.map(toEvent);
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

  finish(eventId: string, owner: string): boolean {
    return Number(this.#finish.run(eventId, owner).changes) > 0;
  }
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
