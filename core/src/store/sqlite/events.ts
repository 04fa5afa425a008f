import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EventType, ImageRef, NewEvent, RegistryKind } from "../../events.js";
import { newId } from "../../ids.js";
import type { AcceptResult, Claim, ClaimOptions, EventQuery, EventState, StoredEvent } from "../types.js";
import type { Row } from "./rows.js";
import { defined, limitOf, num, str } from "./rows.js";

/**
 * The events table and the queue over it. Every method is synchronous and expects to be called either
 * inside a group-commit batch (writes) or on its own (reads).
 */
export class EventTable {
  readonly #insert: StatementSync;
  readonly #byDelivery: StatementSync;
  readonly #byId: StatementSync;
  readonly #list: StatementSync;
  readonly #listByProject: StatementSync;
  readonly #claim: StatementSync;
  readonly #renew: StatementSync;
  readonly #finish: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO events (id, project, source, type, image, payload, delivery_id, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, delivery_id) DO NOTHING`,
    );
    this.#byDelivery = db.prepare("SELECT * FROM events WHERE project = ? AND delivery_id = ?");
    this.#byId = db.prepare("SELECT * FROM events WHERE id = ?");
    this.#list = db.prepare("SELECT * FROM events ORDER BY id DESC LIMIT ?");
    this.#listByProject = db.prepare("SELECT * FROM events WHERE project = ? ORDER BY id DESC LIMIT ?");
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
       RETURNING *`,
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

  /** Inserts what is new; a (project, deliveryId) already present, even earlier in `events`, is a duplicate. */
  insert(events: readonly NewEvent[], receivedAt: string): AcceptResult {
    const result: AcceptResult = { accepted: [], duplicates: [] };
    for (const e of events) {
      const id = newId();
      const image = imageOf(e.image);
      const { changes } = this.#insert.run(
        id,
        e.project,
        e.source,
        e.type,
        JSON.stringify(image),
        e.payload,
        e.deliveryId,
        receivedAt,
      );
      // The stored row is exactly what was given, so it is not read back (the payload is the bulk of it).
      if (Number(changes) === 1) {
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
