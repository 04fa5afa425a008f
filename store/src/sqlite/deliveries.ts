import type { DatabaseSync, StatementSync } from "node:sqlite";
import { firstIdAt } from "@bosun/core";
import type { Delivery, DeliveryQuery } from "../types.js";
import {
  DELIVERY_COLUMNS,
  type DeliveryRow,
  deliveryFilter,
  deliverySelect,
  deliveryValues,
  toDelivery,
} from "../deliveries.js";

/** Where the events table keeps a payload (see events.ts). */
const SELECT = deliverySelect(`SELECT CASE WHEN payload_hash IS NULL THEN payload
    ELSE (SELECT body FROM payloads WHERE hash = events.payload_hash) END
    FROM events WHERE events.id = deliveries.body_event`);

const PLACEHOLDERS = DELIVERY_COLUMNS.split(",")
  .map(() => "?")
  .join(", ");

/** The delivery log; writes run inside a group-commit unit, reads on their own. */
export class DeliveryTable {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #pruneUpTo: StatementSync;
  readonly #pruneBefore: StatementSync;
  readonly #byId: StatementSync;
  /** Each filter shape's statement, prepared once. */
  readonly #lists = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES (${PLACEHOLDERS})`);
    this.#pruneUpTo = db.prepare("DELETE FROM deliveries WHERE seq <= ?");
    // Ids are ULIDs: in time order, so the id index finds those received before a time.
    this.#pruneBefore = db.prepare("DELETE FROM deliveries WHERE id < ?");
    this.#byId = db.prepare(`SELECT ${SELECT} FROM deliveries WHERE id = ?`);
  }

  /**
   * Inserts the delivery and drops those past the newest `keep`. seq numbers the rows without a gap
   * (AUTOINCREMENT; a rolled-back insert takes its number back), so the cut is by seq alone, and is
   * made every `chunk` inserts, down to keep - chunk + 1 rows: never more than `keep` are left.
   */
  insert(delivery: DeliveryRow, keep: number): void {
    const seq = Number(this.#insert.run(...deliveryValues(delivery)).lastInsertRowid);
    const chunk = Math.max(1, Math.min(64, Math.floor(keep / 8)));
    if (seq % chunk === 0) this.#pruneUpTo.run(seq - keep + chunk - 1);
  }

  get(id: string): Delivery | undefined {
    const row = this.#byId.get(id);
    return row ? toDelivery(row) : undefined;
  }

  list(query: DeliveryQuery): Delivery[] {
    const { where, values, limit } = deliveryFilter(query, {
      param: () => "?",
      images: "json_each(deliveries.images)",
    });
    const sql = `SELECT ${SELECT} FROM deliveries ${where} ORDER BY id DESC LIMIT ?`;
    let statement = this.#lists.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#lists.set(sql, statement);
    }
    return statement.all(...(values as string[]), limit).map(toDelivery);
  }

  pruneBefore(olderThan: string): number {
    return Number(this.#pruneBefore.run(firstIdAt(Date.parse(olderThan))).changes);
  }
}
