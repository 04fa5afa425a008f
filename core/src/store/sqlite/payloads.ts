import { hash } from "node:crypto";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** The key of a body in the payloads table: its SHA-256, as a 32-byte blob. */
export function payloadHash(body: string): Uint8Array {
  return hash("sha256", body, "buffer");
}

/**
 * The payloads table: request bodies stored once, by hash, and referenced by events.payload_hash.
 * `refs` counts those events; deleting an event decrements it and drops the body at zero (a trigger,
 * see schema.ts), so the count costs no index on events. Synchronous; runs inside a group-commit batch.
 */
export class PayloadTable {
  readonly #add: StatementSync;
  readonly #dropLast: StatementSync;
  readonly #unref: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare(
      `INSERT INTO payloads (hash, body, refs) VALUES (?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET refs = refs + excluded.refs`,
    );
    this.#dropLast = db.prepare("DELETE FROM payloads WHERE hash = ? AND refs <= ?");
    this.#unref = db.prepare("UPDATE payloads SET refs = refs - ? WHERE hash = ?");
  }

  /** Stores the body unless it is already there, and counts `events` more references to it. */
  add(hash: Uint8Array, body: string, events: number): void {
    this.#add.run(hash, body, events);
  }

  /** Gives back `events` references counted by add(); the body goes when none is left. */
  release(hash: Uint8Array, events: number): void {
    if (Number(this.#dropLast.run(hash, events).changes) === 0) this.#unref.run(events, hash);
  }
}
