/**
 * The filters and page of GET /events, GET /runs and GET /deliveries, read from the query string:
 * each parameter is checked and a wrong one answered 400 QUERY_INVALID, naming it, rather than ignored.
 */
import { RUN_STATUSES, type Problem, type RunStatus } from "@bosun/core";
import type { DeliveryOutcome, DeliveryQuery, EventFilters, RunQuery } from "@bosun/store";

type Query = Record<string, unknown>;
type Read<T> = { value: T; errors?: undefined } | { errors: Problem[] };

const MAX_LIMIT = 1000;

const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = ["accepted", "duplicate", "ignored", "rejected"];

export function readEventQuery(query: Query, defaultLimit = 100): Read<EventFilters & { limit: number }> {
  const problems: Problem[] = [];
  const text = (name: string) => textOf(query, name, problems);
  const filters: EventFilters & { limit: number } = {
    project: text("project"),
    registry: text("registry"),
    repository: text("repository"),
    tag: text("tag"),
    since: timeOf(query, "since", problems),
    until: timeOf(query, "until", problems),
    before: text("before"),
    limit: limitOf(query, problems, defaultLimit),
  };
  return problems.length > 0 ? { errors: problems } : { value: filters };
}

/** The delivery log's filters: the events' (50 a page), and an outcome. */
export function readDeliveryQuery(query: Query): Read<DeliveryQuery & { limit: number }> {
  const common = readEventQuery(query, 50);
  const problems: Problem[] = common.errors ? [...common.errors] : [];
  const outcome = textOf(query, "outcome", problems);
  if (outcome !== undefined && !(DELIVERY_OUTCOMES as readonly string[]).includes(outcome))
    problems.push(problem("outcome", `one of ${DELIVERY_OUTCOMES.join(", ")}`, outcome));
  if (problems.length > 0 || common.errors) return { errors: problems };
  return { value: { ...common.value, outcome: outcome as DeliveryOutcome | undefined } };
}

export function readRunQuery(query: Query): Read<RunQuery> {
  const events = readEventQuery(query);
  const problems: Problem[] = events.errors ? [...events.errors] : [];
  const status = textOf(query, "status", problems);
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status))
    problems.push(problem("status", `one of ${RUN_STATUSES.join(", ")}`, status));
  if (problems.length > 0 || events.errors) return { errors: problems };
  return {
    value: { ...events.value, eventId: textOf(query, "event", problems), status: status as RunStatus },
  };
}

/** The cursor of the next page: the last id of a full page, else none. */
export function nextPage(list: readonly { id: string }[], limit: number | undefined): string | undefined {
  return list.length > 0 && list.length === limit ? list.at(-1)!.id : undefined;
}

function textOf(query: Query, name: string, problems: Problem[]): string | undefined {
  const v = query[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v === "string") return v;
  problems.push(problem(name, "one value", JSON.stringify(v)));
  return undefined;
}

/** RFC 3339 or a date, as the store compares it: UTC with milliseconds. */
function timeOf(query: Query, name: string, problems: Problem[]): string | undefined {
  const v = textOf(query, name, problems);
  if (v === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isNaN(at)) return new Date(at).toISOString();
  problems.push(problem(name, "an RFC 3339 time (2026-12-07T10:00:00Z) or a date (2026-12-07)", v));
  return undefined;
}

function limitOf(query: Query, problems: Problem[], absent: number): number {
  const v = textOf(query, "limit", problems);
  if (v === undefined) return absent;
  const n = Number(v);
  if (/^[0-9]+$/.test(v) && n >= 1 && n <= MAX_LIMIT) return n;
  problems.push(problem("limit", `a whole number from 1 to ${MAX_LIMIT}`, v));
  return absent;
}

function problem(path: string, expected: string, found: string): Problem {
  return {
    code: "QUERY_INVALID",
    path,
    expected,
    found,
    message: `query parameter ${path}: expected ${expected}, found ${JSON.stringify(found)}`,
  };
}
