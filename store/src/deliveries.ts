/**
 * The delivery log's rows, the same columns in SQLite and PostgreSQL (JSON as text), and its query
 * filters, so one mapping and one WHERE serve both stores.
 */
import { newId } from "@bosun/core";
import type { AcceptResult, Delivery, DeliveryOutcome, DeliveryQuery, NewDelivery } from "./types.js";
import { defined, limitOf, optJson, optStr, str, type Row } from "./rows.js";

/** The columns an insert writes, in deliveryValues' order. */
export const DELIVERY_COLUMNS = `id, project, registry, received_at, outcome, headers, body, body_event,
  body_truncated, images, event_ids, duplicate_of, ignored, problem, replay_of`;

/**
 * The columns a read returns: the body from the event that holds it when the delivery created one.
 * `eventBody` is the store's expression for the payload of event `deliveries.body_event`.
 */
export function deliverySelect(eventBody: string): string {
  return `id, project, registry, received_at, outcome, headers,
    CASE WHEN body_event IS NULL THEN body ELSE coalesce((${eventBody}), '') END AS body,
    body_truncated, images, event_ids, duplicate_of, ignored, problem, replay_of`;
}

/** A delivery as inserted: an accepted one's body is its first event's payload, not stored twice. */
export type DeliveryRow = Delivery & { bodyEvent?: string };

/** A delivery about to be inserted, with what only the accept knows. */
export function newDeliveryRecord(
  delivery: NewDelivery,
  receivedAt: string,
  outcome: DeliveryOutcome,
  result?: AcceptResult,
): DeliveryRow {
  const { keep: _keep, bodyTruncated, ...rest } = delivery;
  const first = result?.accepted[0];
  return defined({
    ...rest,
    id: newId(),
    receivedAt,
    outcome,
    // The event keeps the whole body, so the log's copy is neither needed nor cut short.
    ...(first ? { body: first.payload, bodyEvent: first.id } : {}),
    bodyTruncated: bodyTruncated && !first ? (true as const) : undefined,
    eventIds: result?.accepted.map((e) => e.id) ?? [],
    // A push that joined an event gathering its digest's tags (runPer: digest) names that event too.
    duplicateOf: [...new Set([...(result?.duplicates ?? []), ...(result?.merged ?? [])].map((e) => e.id))],
    // What the accept-time rules declined (a tag policy's best tag, a digest that came tagged) is
    // set aside with its reason, as the gateway's own ignored pushes are.
    ignored: [
      ...rest.ignored,
      ...(result?.declined ?? []).map((d) => ({ what: d.event.image?.ref ?? "", reasons: [d.reason] })),
    ],
  });
}

/**
 * `accepted` when the accept stored any event; `duplicate` when it only repeated stored ones (or
 * joined an event gathering its digest's tags); `ignored` when the accept-time rules declined all of it.
 */
export function acceptOutcome(result: AcceptResult): DeliveryOutcome {
  if (result.accepted.length > 0) return "accepted";
  return result.duplicates.length + result.merged.length > 0 ? "duplicate" : "ignored";
}

/** The insert's values, in DELIVERY_COLUMNS order. */
export function deliveryValues(d: DeliveryRow): (string | number | null)[] {
  return [
    d.id,
    d.project,
    d.registry,
    d.receivedAt,
    d.outcome,
    JSON.stringify(d.headers),
    d.bodyEvent === undefined ? d.body : "",
    d.bodyEvent ?? null,
    d.bodyTruncated ? 1 : 0,
    JSON.stringify(d.images),
    JSON.stringify(d.eventIds),
    JSON.stringify(d.duplicateOf),
    JSON.stringify(d.ignored),
    d.problem ? JSON.stringify({ code: d.problem.code, message: d.problem.message }) : null,
    d.replayOf ?? null,
  ];
}

export function toDelivery(row: Row): Delivery {
  return defined({
    id: str(row, "id"),
    project: str(row, "project"),
    registry: str(row, "registry"),
    receivedAt: str(row, "received_at"),
    outcome: str(row, "outcome") as DeliveryOutcome,
    headers: JSON.parse(str(row, "headers")) as Record<string, string>,
    body: str(row, "body"),
    bodyTruncated: Number(row["body_truncated"]) === 1 ? (true as const) : undefined,
    images: JSON.parse(str(row, "images")) as Delivery["images"],
    eventIds: JSON.parse(str(row, "event_ids")) as string[],
    duplicateOf: JSON.parse(str(row, "duplicate_of")) as string[],
    ignored: JSON.parse(str(row, "ignored")) as Delivery["ignored"],
    problem: optJson<Delivery["problem"]>(row, "problem"),
    replayOf: optStr(row, "replay_of"),
  });
}

/** How each store writes a placeholder, and the images column as a set of JSON values named `value`. */
export interface DeliveryDialect {
  param(index: number): string;
  images: string;
}

/** The WHERE clause (or "") and its values, and the limit, for a query. */
export function deliveryFilter(
  query: DeliveryQuery,
  dialect: DeliveryDialect,
): { where: string; values: unknown[]; limit: number } {
  const values: unknown[] = [];
  const next = (value: unknown) => {
    values.push(value);
    return dialect.param(values.length);
  };
  const conditions: string[] = [];
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(`${column} = ${next(value)}`);
  };
  equal("project", query.project);
  equal("registry", query.registry);
  equal("outcome", query.outcome);
  if (query.since !== undefined) conditions.push(`received_at >= ${next(query.since)}`);
  if (query.until !== undefined) conditions.push(`received_at < ${next(query.until)}`);
  if (query.before !== undefined) conditions.push(`id < ${next(query.before)}`);
  const image: string[] = [];
  if (query.repository !== undefined) image.push(`value ->> 'repository' = ${next(query.repository)}`);
  if (query.tag !== undefined) image.push(`value ->> 'tag' = ${next(query.tag)}`);
  if (image.length > 0)
    conditions.push(`EXISTS (SELECT 1 FROM ${dialect.images} WHERE ${image.join(" AND ")})`);
  const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
  return { where, values, limit: limitOf(query.limit, 50) };
}
