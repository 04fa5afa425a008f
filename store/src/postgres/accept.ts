/**
 * The accepts of one group commit. Their events and their deliveries are one statement, so a
 * delivery is on record exactly when its events are, in one round trip and one WAL flush: each
 * delivery is written as it reads when all its events are new, which is the usual case. A delivery
 * with a duplicate among its events is written in a second statement, once the events it repeats
 * are read back; its caller is answered only after that, so a process that dies between the two has
 * answered nothing, and the registry's retry is recorded as the duplicate it is.
 */
import type pg from "pg";
import type { NewEvent } from "@bosun/core";
import { acceptOutcome, type DeliveryRow, newDeliveryRecord } from "../deliveries.js";
import { now } from "../rows.js";
import type { AcceptResult, Delivery, NewDelivery } from "../types.js";
import * as deliveries from "./deliveries.js";
import * as events from "./events.js";

/** One accept of the batch: its events, and the delivery to record with them (its outcome, when known). */
export interface AcceptItem {
  events: readonly NewEvent[];
  delivery?: (NewDelivery & { outcome?: "ignored" | "rejected" }) | undefined;
}

/** An accept's result, with the delivery recorded by it. */
export type Accepted = AcceptResult & { recorded?: Delivery };

export type Notice = (projects: readonly string[]) => string;

/** A delivery is written with the events it names only when every one of them was inserted. */
const ALL_EVENTS_NEW = `WHERE NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(d.event_ids::jsonb) AS e(id)
         WHERE e.id NOT IN (SELECT id FROM inserted))`;

const INSERT_WITH_DELIVERIES = {
  name: "bosun-accept-with-deliveries",
  text: `WITH ${events.INSERT_EVENTS_CTE},
    ${deliveries.recordDeliveriesCtes(12, ALL_EVENTS_NEW)}
    SELECT 'event' AS kind, id, ${events.NOTIFY_INSERTED}::text AS told FROM inserted
    UNION ALL SELECT 'delivery', id, NULL FROM recorded`,
};

/** Every item of a batch, outside a transaction: each statement is atomic alone. */
export async function acceptAll(
  client: pg.PoolClient,
  items: readonly AcceptItem[],
  notice: Notice,
): Promise<Accepted[]> {
  const at = now();
  if (!items.some((item) => item.delivery))
    return events.insertEventBatches(
      client,
      items.map((item) => item.events),
      at,
      notice,
    );
  const rows = events.eventRows(items.map((item) => item.events));
  const flat = rows.flat();
  const hopedResults = events.hopedResults(rows, at);
  const hoped = recordsOf(items, hopedResults, at);
  const written = hoped.filter((p): p is NonNullable<Planned> => p !== undefined);
  if (flat.length === 0) {
    // Only deliveries that stored nothing (ignored ones): their records are final.
    await deliveries.insertDeliveries(client, written);
    return hopedResults.map((result, i) => named(result, hoped[i]));
  }
  const { rows: out } = await client.query<{ kind: string; id: string }>({
    ...INSERT_WITH_DELIVERIES,
    values: [
      ...events.insertValues(flat, at, notice),
      ...(deliveries.deliveryParameters(written) ?? emptyDeliveries()),
    ],
  });
  const inserted = new Set(out.flatMap((r) => (r.kind === "event" ? [r.id] : [])));
  if (inserted.size === flat.length) return hopedResults.map((result, i) => named(result, hoped[i]));
  // Some event repeats one stored before: the deliveries naming it were left out, and are written
  // now as they truly read.
  const recorded = new Set(out.flatMap((r) => (r.kind === "delivery" ? [r.id] : [])));
  const results = await events.acceptResults(client, rows, inserted, at);
  const final = hoped.map((hope, i) =>
    hope && recorded.has(hope.record.id) ? hope : recordsOf([items[i]!], [results[i]!], at)[0],
  );
  const kept = new Set(deliveries.keptByLimit(written).map((p) => p.record.id));
  await deliveries.insertDeliveries(
    client,
    final.filter(
      (p, i): p is NonNullable<Planned> => p !== undefined && p !== hoped[i] && kept.has(hoped[i]!.record.id),
    ),
  );
  return results.map((result, i) => named(result, final[i]));
}

/** One item alone, inside the savepoint the committer holds for it. */
export async function acceptOne(client: pg.PoolClient, item: AcceptItem, notice: Notice): Promise<Accepted> {
  const at = now();
  const result = await events.insertEvents(client, item.events, at, notice);
  const [record] = recordsOf([item], [result], at);
  await deliveries.insertDeliveries(client, record ? [record] : []);
  return named(result, record);
}

export function acceptedProjects(results: readonly Accepted[]): string[] {
  const projects = new Set<string>();
  for (const r of results) for (const e of r.accepted) projects.add(e.project);
  return [...projects];
}

type Planned = { record: DeliveryRow; keep: number } | undefined;

/** Each item's delivery record, given its result (undefined for an item without a delivery). */
function recordsOf(items: readonly AcceptItem[], results: readonly AcceptResult[], at: string): Planned[] {
  return items.map((item, i) => {
    const delivery = item.delivery;
    if (!delivery) return undefined;
    const result = results[i]!;
    return {
      record: newDeliveryRecord(delivery, at, delivery.outcome ?? acceptOutcome(result), result),
      keep: delivery.keep,
    };
  });
}

function named(result: AcceptResult, planned: Planned): Accepted {
  return planned ? { ...result, recordedDelivery: planned.record.id, recorded: planned.record } : result;
}

/** Parameters for no delivery at all: every column an empty array, and a keep that cuts nothing. */
function emptyDeliveries(): unknown[] {
  return [...deliveries.DELIVERY_COLUMN_NAMES.map(() => []), Number.MAX_SAFE_INTEGER];
}
