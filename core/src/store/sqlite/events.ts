import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EventType, ImageRef, NewEvent, RegistryKind } from "../../events.js";
import { newId } from "../../ids.js";
import type { AcceptResult, Claim, ClaimOptions, EventQuery, EventState, StoredEvent } from "../types.js";
import { PayloadTable, payloadHash } from "./payloads.js";
import type { Row } from "./rows.js";
import { defined, limitOf, num, str } from "./rows.js";

/**
 * The events table and the queue over it. Every method is synchronous and expects to be called either
 * inside a group-commit batch (writes) or on its own (reads).
 */
/** One distinct body of an insert: how many of the given events carry it, and how many were new. */
interface Body {
  body: string;
  hash: Uint8Array;
  events: number;
  accepted: number;
}

/** An event row with its body, which lives once in the payloads table. */
const PAYLOAD = "(SELECT body FROM payloads WHERE hash = events.payload_hash) AS payload";
const WITH_PAYLOAD = `events.*, ${PAYLOAD}`;

export class EventTable {
  readonly #db: DatabaseSync;
  readonly #payloads: PayloadTable;
  readonly #insert: StatementSync;
  readonly #byDelivery: StatementSync;
  readonly #byId: StatementSync;
  readonly #list: StatementSync;
  readonly #listByProject: StatementSync;
  readonly #claim: StatementSync;
  readonly #renew: StatementSync;
  readonly #finish: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#payloads = new PayloadTable(db);
    this.#insert = db.prepare(
      `INSERT INTO events (id, project, source, type, image, payload_hash, delivery_id, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, delivery_id) DO NOTHING`,
    );
    this.#byDelivery = db.prepare(`SELECT ${WITH_PAYLOAD} FROM events WHERE project = ? AND delivery_id = ?`);
    this.#byId = db.prepare(`SELECT ${WITH_PAYLOAD} FROM events WHERE id = ?`);
    this.#list = db.prepare(`SELECT ${WITH_PAYLOAD} FROM events ORDER BY id DESC LIMIT ?`);
    this.#listByProject = db.prepare(
      `SELECT ${WITH_PAYLOAD} FROM events WHERE project = ? ORDER BY id DESC LIMIT ?`,
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
       RETURNING *, ${PAYLOAD}`,
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
   * duplicate. Each distinct body is stored once, counted as referred to by every event given, then
   * given back the references of the duplicates. When it throws, it has undone its own writes, so a
   * one-event call needs no SAVEPOINT (see UnitShape).
   */
  insert(events: readonly NewEvent[], receivedAt: string): AcceptResult {
    const bodies = this.#bodiesOf(events);
    for (const [body, b] of bodies) this.#payloads.add(b.hash, body, b.events);
    try {
      return this.#insertEvents(events, bodies, receivedAt);
    } finally {
      this.#releaseUnused(bodies);
    }
  }

  /** Gives back the references of events not inserted; if that fails, ends the transaction. */
  #releaseUnused(bodies: Map<string, Body>): void {
    try {
      for (const b of bodies.values()) {
        if (b.accepted < b.events) this.#payloads.release(b.hash, b.events - b.accepted);
      }
    } catch (err) {
      // A count left too high would keep a body forever; the whole batch fails instead (see flush).
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  /**
   * The distinct bodies, hashed once each. The events of one request share one body string, so a body
   * equal to the previous event's is not even looked up.
   */
  #bodiesOf(events: readonly NewEvent[]): Map<string, Body> {
    const bodies = new Map<string, Body>();
    let last: Body | undefined;
    for (const e of events) {
      if (last?.body !== e.payload) {
        last = bodies.get(e.payload);
        if (!last) {
          last = { body: e.payload, hash: payloadHash(e.payload), events: 0, accepted: 0 };
          bodies.set(e.payload, last);
        }
      }
      last.events++;
    }
    return bodies;
  }

  #insertEvents(events: readonly NewEvent[], bodies: Map<string, Body>, receivedAt: string): AcceptResult {
    const result: AcceptResult = { accepted: [], duplicates: [] };
    let body: Body | undefined;
    for (const e of events) {
      if (body?.body !== e.payload) body = bodies.get(e.payload)!;
      const id = newId();
      const image = imageOf(e.image);
      const { changes } = this.#insert.run(
        id,
        e.project,
        e.source,
        e.type,
        JSON.stringify(image),
        body.hash,
        e.deliveryId,
        receivedAt,
      );
      // The stored row is exactly what was given, so it is not read back (the payload is the bulk of it).
      if (Number(changes) === 1) {
        body.accepted++;
        result.accepted.push({
          id,
          project: e.project,
          source: e.source,
          type: e.type,
          image,
          payload: e.payload,
          deliveryId: e.deliveryId,
          receivedAt,
          state: "queued",
          attempts: 0,
        });
        continue;
      }
      const earlier = this.#byDelivery.get(e.project, e.deliveryId);
      if (!earlier) throw new Error(`event ${e.project}/${e.deliveryId} conflicted but cannot be read back`);
      result.duplicates.push(toEvent(earlier));
    }
    return result;
  }

  get(id: string): StoredEvent | undefined {
    const row = this.#byId.get(id);
    return row ? toEvent(row) : undefined;
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

/** Only the ImageRef fields, in a stable order: nothing a caller tacked on is stored. */
function imageOf(image: ImageRef): ImageRef {
  return defined({
    registry: image.registry,
    repository: image.repository,
    tag: image.tag,
    digest: image.digest,
    mediaType: image.mediaType,
    pusher: image.pusher,
    pushedAt: image.pushedAt,
    ref: image.ref,
  });
}

function toEvent(row: Row): StoredEvent {
  return {
    id: str(row, "id"),
    project: str(row, "project"),
    source: str(row, "source") as RegistryKind,
    type: str(row, "type") as EventType,
    image: JSON.parse(str(row, "image")) as ImageRef,
    payload: str(row, "payload"),
    deliveryId: str(row, "delivery_id"),
    receivedAt: str(row, "received_at"),
    state: str(row, "state") as EventState,
    attempts: num(row, "attempts"),
  };
}
