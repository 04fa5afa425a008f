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

export const DELIVERY_COLUMN_NAMES = DELIVERY_COLUMNS.split(",").map((c) => c.trim());
const BODY_TRUNCATED = DELIVERY_COLUMN_NAMES.indexOf("body_truncated");

/**
 * A batch's deliveries inserted in one statement (columns as unnested arrays, from parameter
 * `first` on, `keep` after them), as the CTE `recorded` returning the ids written, and those past the
 * newest `keep` dropped (`trimmed`): seq only grows, so the rows to drop are those `keep` below the
 * batch's. Only a window as wide as twice the batch is cut, never the whole range below: until VACUUM,
 * the index still holds every row deleted before, and walking them on each insert was measured to
 * halve ingest. Rows of another process's batch interleaved past the window are left to the age
 * limit. The DELETE does not see the rows the same statement inserts (at most `keep`), which are
 * newer than anything it may drop. `where` may keep some of the rows out, naming them `d`.
 */
export function recordDeliveriesCtes(first: number, where = ""): string {
  const arrays = DELIVERY_COLUMN_NAMES.map(
    (_, i) => `$${first + i}::${i === BODY_TRUNCATED ? "int" : "text"}[]`,
  );
  const keep = `$${first + DELIVERY_COLUMN_NAMES.length}`;
  return `recorded AS (
      INSERT INTO deliveries (${DELIVERY_COLUMNS})
      SELECT * FROM unnest(${arrays.join(", ")}) AS d(${DELIVERY_COLUMN_NAMES.join(", ")}) ${where}
      RETURNING seq, id),
    trimmed AS (
      DELETE FROM deliveries
       WHERE seq <= (SELECT max(seq) FROM recorded) - ${keep}
         AND seq > (SELECT max(seq) FROM recorded) - ${keep} - 2 * (SELECT count(*) FROM recorded))`;
}

const INSERT = {
  name: "bosun-insert-deliveries-2",
  text: `WITH ${recordDeliveriesCtes(1)} SELECT count(*) FROM recorded`,
};

/**
 * The parameters of recordDeliveriesCtes, or undefined when nothing is to be written: those of the
 * batch past the newest `keep` would be dropped at once, so they are not written at all.
 */
export function deliveryParameters(
  deliveries: readonly { record: DeliveryRow; keep: number }[],
): unknown[] | undefined {
  const rows = keptByLimit(deliveries).map((d) => deliveryValues(d.record));
  if (rows.length === 0) return undefined;
  const keep = Math.min(...deliveries.map((d) => d.keep));
  return [...DELIVERY_COLUMN_NAMES.map((_, i) => rows.map((r) => r[i])), keep];
}

/** Those of a batch's deliveries within the newest `keep`: the others are not written at all. */
export function keptByLimit<T extends { keep: number }>(planned: readonly T[]): readonly T[] {
  if (planned.length === 0) return planned;
  const keep = Math.min(...planned.map((p) => p.keep));
  return planned.slice(Math.max(0, planned.length - keep));
}

export async function insertDeliveries(
  db: pg.ClientBase,
  deliveries: readonly { record: DeliveryRow; keep: number }[],
): Promise<void> {
  const values = deliveryParameters(deliveries);
  if (values) await db.query({ ...INSERT, values });
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
