/**
 * The body of `POST /api/v1/events` (`bosun event create`): an event of any source and type for one
 * project, read into the store's NewCustomEvent, or the problems with it (path, expected, found).
 */
import { randomUUID } from "node:crypto";
import { CLI_EVENT_SOURCE, type NewCustomEvent, type Problem, type Result } from "@bosun/core";

export interface EventRequest {
  project: string;
  event: NewCustomEvent;
}

const TITLE_MAX = 1024;

export function readEventRequest(body: unknown): Result<EventRequest> {
  const problems: Problem[] = [];
  const bad = (path: string, expected: string, value: unknown) =>
    problems.push({
      code: "PAYLOAD_MALFORMED",
      message: `${path}: expected ${expected}`,
      path,
      expected,
      found: describe(value),
    });
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    bad("(body)", "a JSON object", body);
    return { errors: problems };
  }
  const b = body as Record<string, unknown>;
  const name = (key: string, fallback?: string): string => {
    const value = b[key] ?? fallback;
    if (typeof value === "string" && value.trim() !== "" && value.length <= 253) return value;
    bad(key, "a non-empty string of up to 253 characters", value);
    return "";
  };
  const project = name("project");
  const source = name("source", CLI_EVENT_SOURCE);
  const type = name("type");
  const payload = b.payload ?? "";
  if (typeof payload !== "string") bad("payload", "a string (the event's payload as is)", payload);
  const event: NewCustomEvent = {
    project,
    source,
    type,
    payload: typeof payload === "string" ? payload : "",
    // Each request is its own event: nothing a client sends makes two of them one.
    deliveryId: randomUUID(),
  };
  const details: NonNullable<NewCustomEvent["details"]> = {};
  for (const key of ["qualifiers", "labels"] as const) {
    const map = b[key];
    if (map === undefined) continue;
    if (isStringMap(map)) details[key] = { ...map };
    else bad(key, "an object of strings", map);
  }
  for (const key of ["shortTitle", "longTitle"] as const) {
    const title = b[key];
    if (title === undefined) continue;
    if (typeof title === "string" && title.length <= TITLE_MAX) details[key] = title;
    else bad(key, `a string of up to ${TITLE_MAX} characters`, title);
  }
  for (const key of Object.keys(b))
    if (!KNOWN.has(key)) bad(key, `no such field (the fields are ${[...KNOWN].join(", ")})`, b[key]);
  if (problems.length > 0) return { errors: problems };
  if (Object.keys(details).length > 0) event.details = details;
  return { value: { project, event } };
}

const KNOWN = new Set([
  "project",
  "source",
  "type",
  "payload",
  "qualifiers",
  "labels",
  "shortTitle",
  "longTitle",
]);

function isStringMap(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([k, v]) => typeof v === "string" && k !== "__proto__" && k !== "constructor" && k !== "prototype",
  );
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
