/**
 * The WHERE conditions of event and run listings, built once for both SQL stores: each says how it
 * writes a placeholder and how it reads a field of the image column (JSON text).
 */
import type { EventFilters, RunQuery } from "./types.js";

export interface Dialect {
  /** Binds `value` and answers its placeholder ("?" or "$n"). */
  bind(value: unknown): string;
  /** A text field of the events.image column's JSON, NULL for an event without an image. */
  imageField(field: "repository" | "tag"): string;
}

/** Conditions on the events table's own columns. */
export function eventConditions(q: EventFilters, d: Dialect, time = "received_at"): string[] {
  const where = commonConditions(q, d, time);
  if (q.project !== undefined) where.push(`project = ${d.bind(q.project)}`);
  where.push(...imageConditions(q, d));
  return where;
}

/** Conditions on the runs table; the image's fields are the event's, looked up by event_id. */
export function runConditions(q: RunQuery, d: Dialect): string[] {
  const where = commonConditions(q, d, "created_at");
  if (q.project !== undefined) where.push(`project = ${d.bind(q.project)}`);
  if (q.eventId !== undefined) where.push(`event_id = ${d.bind(q.eventId)}`);
  if (q.status !== undefined) where.push(`status = ${d.bind(q.status)}`);
  const ofEvent = imageConditions(q, d);
  if (ofEvent.length > 0) where.push(`event_id IN (SELECT id FROM events WHERE ${ofEvent.join(" AND ")})`);
  return where;
}

export function whereClause(conditions: readonly string[]): string {
  return conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
}

function commonConditions(q: EventFilters, d: Dialect, time: string): string[] {
  const where: string[] = [];
  if (q.before !== undefined) where.push(`id < ${d.bind(q.before)}`);
  if (q.since !== undefined) where.push(`${time} >= ${d.bind(q.since)}`);
  if (q.until !== undefined) where.push(`${time} < ${d.bind(q.until)}`);
  return where;
}

function imageConditions(q: EventFilters, d: Dialect): string[] {
  const where: string[] = [];
  if (q.registry !== undefined) where.push(`source = ${d.bind(q.registry)}`);
  if (q.repository !== undefined) where.push(`${d.imageField("repository")} = ${d.bind(q.repository)}`);
  if (q.tag !== undefined) where.push(`${d.imageField("tag")} = ${d.bind(q.tag)}`);
  return where;
}
