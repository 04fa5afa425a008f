import { hash } from "node:crypto";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** The key of a body in the payloads table: its SHA-256, as a 32-byte blob. */
export function payloadHash(body: string): Uint8Array {
  return hash("sha256", body, "buffer");
}

/**
 * The payloads table: bodies shared by several events, stored once by hash and referred to by
 * events.payload_hash. `refs` counts those events; deleting one decrements it and drops the body at
 * zero (a trigger, see schema.ts), so the count needs no index on events. Synchronous; runs inside a
 * group-commit batch.
 */
export class PayloadTable {
  readonly #add: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare(
      `INSERT INTO payloads (hash, body, refs) VALUES (?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET refs = refs + excluded.refs`,
    );
  }

  /** Stores the body unless it is already there, and counts `events` more references to it. */
  add(hash: Uint8Array, body: string, events: number): void {
    this.#add.run(hash, body, events);
  }
}
