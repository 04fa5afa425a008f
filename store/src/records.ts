/**
 * Rows of the SQL stores as the records the Store interface returns, and the one copy of the image
 * that is stored: the same columns in SQLite and PostgreSQL, so one mapping serves both.
 */
import type {
  CredentialKind,
  CredentialSummary,
  EventDetails,
  EventType,
  EventVerification,
  ImageRef,
  JobRecord,
  JobStatus,
  LogEntry,
  LogStream,
  NewEvent,
  NewRun,
  RegistryKind,
  Run,
  RunError,
  RunStatus,
} from "@bosun/core";
import { newId } from "@bosun/core";
import type { EventState, StoredEvent, StoredProject } from "./types.js";
import { defined, now, num, optJson, optNum, optStr, str, type Row } from "./rows.js";

/** Only the ImageRef fields, in a stable order: nothing a caller tacked on is stored. */
export function imageOf(image: ImageRef): ImageRef {
  return defined({
    registry: image.registry,
    repository: image.repository,
    tag: image.tag,
    digest: image.digest,
    mediaType: image.mediaType,
    pusher: image.pusher,
    pushedAt: image.pushedAt,
    ref: image.ref,
    tags: image.tags,
  });
}

/** The image column: the push's image, or null for an event created through the API (it has none). */
export function imageColumn(e: NewEvent): ImageRef | null {
  return e.image ? imageOf(e.image) : null;
}

/** The details column: only the EventDetails fields of an event created through the API, as JSON. */
export function detailsColumn(e: NewEvent): string | null {
  if (e.image || !e.details) return null;
  const { qualifiers, labels, shortTitle, longTitle } = e.details;
  const details = defined({ qualifiers, labels, shortTitle, longTitle });
  return Object.keys(details).length > 0 ? JSON.stringify(details) : null;
}

/** Only the RunError fields: nothing else a failure carried is stored. */
export function errorOf(error: RunError): RunError {
  return defined({ code: error.code, message: error.message, stack: error.stack });
}

/** An event just inserted, as stored: not read back, since the row is exactly what was given. */
export function queuedEvent(
  id: string,
  e: NewEvent,
  image: ImageRef | null,
  details: string | null,
  receivedAt: string,
): StoredEvent {
  const queue = { state: "queued", attempts: 0 } as const;
  const common = { id, project: e.project, payload: e.payload, deliveryId: e.deliveryId, receivedAt };
  if (image)
    return { ...common, source: e.source as RegistryKind, type: e.type as EventType, image, ...queue };
  const custom = { ...common, source: e.source, type: e.type, ...queue };
  return details === null ? custom : { ...custom, details: JSON.parse(details) as EventDetails };
}

export function toEvent(row: Row): StoredEvent {
  const common = {
    id: str(row, "id"),
    project: str(row, "project"),
    payload: str(row, "payload"),
    deliveryId: str(row, "delivery_id"),
    receivedAt: str(row, "received_at"),
    state: str(row, "state") as EventState,
    attempts: num(row, "attempts"),
  };
  const image = JSON.parse(str(row, "image")) as ImageRef | null;
  if (image)
    return defined({
      ...common,
      source: str(row, "source") as RegistryKind,
      type: str(row, "type") as EventType,
      image,
      verification: optJson<EventVerification>(row, "verification"),
    });
  return defined({
    ...common,
    source: str(row, "source"),
    type: str(row, "type"),
    details: optJson<EventDetails>(row, "details"),
  });
}

export function toRun(row: Row): Run {
  return defined({
    id: str(row, "id"),
    eventId: str(row, "event_id"),
    project: str(row, "project"),
    attempt: num(row, "attempt"),
    handler: str(row, "handler") as Run["handler"],
    status: str(row, "status") as RunStatus,
    createdAt: str(row, "created_at"),
    finishedAt: optStr(row, "finished_at"),
    error: optJson<RunError>(row, "error"),
    rerunOf: optStr(row, "rerun_of"),
    retryOf: optStr(row, "retry_of"),
    requestedBy: optStr(row, "requested_by"),
    cancelRequestedBy: optStr(row, "cancel_requested_by"),
  });
}

export function toJob(row: Row): JobRecord {
  return defined({
    id: str(row, "id"),
    runId: str(row, "run_id"),
    name: str(row, "name"),
    image: str(row, "image"),
    status: str(row, "status") as JobStatus,
    tasks: JSON.parse(str(row, "tasks")) as string[],
    envNames: JSON.parse(str(row, "env_names")) as string[],
    exitCode: optNum(row, "exit_code"),
    createdAt: str(row, "created_at"),
    startedAt: optStr(row, "started_at"),
    finishedAt: optStr(row, "finished_at"),
    error: optJson<RunError>(row, "error"),
    specHash: optStr(row, "spec_hash"),
    reusedFrom: reusedFromOf(row),
  });
}

function reusedFromOf(row: Row): JobRecord["reusedFrom"] {
  const runId = optStr(row, "reused_run_id");
  const jobId = optStr(row, "reused_job_id");
  return runId !== undefined && jobId !== undefined ? { runId, jobId } : undefined;
}

export function toLogEntry(row: Row): LogEntry {
  return defined({
    seq: num(row, "seq"),
    runId: str(row, "run_id"),
    jobId: optStr(row, "job_id"),
    stream: str(row, "stream") as LogStream,
    text: str(row, "text"),
    at: str(row, "at"),
  });
}

export function toCredentialSummary(row: Row): CredentialSummary {
  return {
    project: str(row, "project"),
    kind: str(row, "kind") as CredentialKind,
    target: str(row, "target"),
    username: str(row, "username"),
    updatedAt: str(row, "updated_at"),
  };
}

export function toStoredProject(row: Row): StoredProject {
  return {
    name: str(row, "name"),
    spec: str(row, "spec"),
    sealed: str(row, "sealed"),
    revision: num(row, "revision"),
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
  };
}

/** A new run's values, in the order both stores' INSERT INTO runs names its columns. */
export function newRunValues(run: NewRun, status: "running" | "queued"): (string | number | null)[] {
  return [
    newId(),
    run.eventId,
    run.project,
    run.attempt,
    run.handler,
    status,
    now(),
    run.rerunOf ?? null,
    run.retryOf ?? null,
    run.requestedBy ?? null,
  ];
}
