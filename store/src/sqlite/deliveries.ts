import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Delivery, DeliveryQuery } from "../types.js";
import { DELIVERY_COLUMNS, deliveryFilter, deliveryValues, toDelivery } from "../deliveries.js";

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
    this.#pruneBefore = db.prepare("DELETE FROM deliveries WHERE received_at < ?");
    this.#byId = db.prepare(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ?`);
  }

  /**
   * Inserts the delivery and drops those past the newest `keep`: seq only grows (AUTOINCREMENT, and a
   * rolled-back insert takes its number back), so the cut is one index probe.
   */
  insert(delivery: Delivery, keep: number): void {
    const { lastInsertRowid } = this.#insert.run(...deliveryValues(delivery));
    this.#pruneUpTo.run(Number(lastInsertRowid) - keep);
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
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM deliveries ${where} ORDER BY id DESC LIMIT ?`;
    let statement = this.#lists.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#lists.set(sql, statement);
    }
    return statement.all(...(values as string[]), limit).map(toDelivery);
  }

  pruneBefore(olderThan: string): number {
    return Number(this.#pruneBefore.run(olderThan).changes);
  }
}
