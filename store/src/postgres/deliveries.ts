import type pg from "pg";
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

const SELECT = deliverySelect("SELECT payload FROM events WHERE events.id = deliveries.body_event");
import type { Queryable } from "./rows.js";

const COLUMN_NAMES = DELIVERY_COLUMNS.split(",").map((c) => c.trim());
const BODY_TRUNCATED = COLUMN_NAMES.indexOf("body_truncated");

/**
 * Inserts a batch's deliveries in one statement (columns as unnested arrays) and drops those past the
 * newest `keep`: seq only grows, so the rows to drop are those `keep` below the batch's. Only a window
 * as wide as twice the batch is cut, never the whole range below: until VACUUM, the index still holds
 * every row deleted before, and walking them on each insert was measured to halve ingest. Rows of
 * another process's batch interleaved past the window are left to the age limit. The DELETE does
 * not see the rows the same statement inserts (at most `keep`), which are newer than anything it
 * may drop.
 */
const INSERT = {
  name: "bosun-insert-deliveries",
  text: `WITH inserted AS (
      INSERT INTO deliveries (${DELIVERY_COLUMNS})
      SELECT * FROM unnest(${COLUMN_NAMES.map((_, i) => `$${i + 1}::${i === BODY_TRUNCATED ? "int" : "text"}[]`).join(", ")})
      RETURNING seq)
    DELETE FROM deliveries
     WHERE seq <= (SELECT max(seq) FROM inserted) - $${COLUMN_NAMES.length + 1}
       AND seq > (SELECT max(seq) FROM inserted) - $${COLUMN_NAMES.length + 1} - 2 * (SELECT count(*) FROM inserted)`,
};

export async function insertDeliveries(
  db: pg.ClientBase,
  deliveries: readonly { record: DeliveryRow; keep: number }[],
): Promise<void> {
  if (deliveries.length === 0) return;
  const keep = Math.min(...deliveries.map((d) => d.keep));
  // Those of the batch past the newest `keep` would be dropped at once: they are not written at all.
  const rows = deliveries.slice(Math.max(0, deliveries.length - keep)).map((d) => deliveryValues(d.record));
  if (rows.length === 0) return;
  const columns = COLUMN_NAMES.map((_, i) => rows.map((r) => r[i]));
  await db.query({ ...INSERT, values: [...columns, keep] });
}

export async function getDelivery(db: Queryable, id: string): Promise<Delivery | undefined> {
  const { rows } = await db.query(`SELECT ${SELECT} FROM deliveries WHERE id = $1`, [id]);
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

export async function listDeliveries(db: Queryable, query: DeliveryQuery): Promise<Delivery[]> {
  const { where, values, limit } = deliveryFilter(query, {
    param: (i) => `$${i}`,
    images: "jsonb_array_elements(deliveries.images::jsonb) AS value",
  });
  const { rows } = await db.query(
    `SELECT ${SELECT} FROM deliveries ${where} ORDER BY id DESC LIMIT $${values.length + 1}`,
    [...values, limit],
  );
  return rows.map(toDelivery);
}

export async function pruneDeliveries(db: Queryable, olderThan: string): Promise<number> {
  // Ids are ULIDs: in time order, so the id index finds those received before a time.
  const { rowCount } = await db.query("DELETE FROM deliveries WHERE id < $1", [
    firstIdAt(Date.parse(olderThan)),
  ]);
  return rowCount ?? 0;
}
