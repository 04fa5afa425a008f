import {
  newId,
  type RunRequest,
  type JobRecord,
  type NewJob,
  type NewRun,
  type Run,
  type RunError,
  type RunStatus,
} from "@bosun/core";
import type { EventState, RunQuery, RunRefusal } from "../types.js";
import { runConditions, whereClause, type Dialect } from "../filters.js";
import { cancelledError, planEventCancel, refuseCancel, refuseRequest } from "../run-requests.js";
import { limitOf, now } from "../rows.js";
import type { Queryable } from "./rows.js";
import { errorOf, newRunValues, toJob, toRun } from "../records.js";

export type JobPatch = Partial<Pick<JobRecord, "status" | "exitCode" | "startedAt" | "finishedAt" | "error">>;

export async function createRun(
  db: Queryable,
  run: NewRun,
  status: "running" | "queued" = "running",
): Promise<Run> {
  const { rows } = await db.query(
    `INSERT INTO runs (id, event_id, project, attempt, handler, status, created_at, rerun_of, retry_of, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    newRunValues(run, status),
  );
  return toRun(rows[0]!);
}

export async function startRun(
  db: Queryable,
  id: string,
  attempt: number,
  handler: Run["handler"],
): Promise<Run | undefined> {
  const { rows } = await db.query(
    "UPDATE runs SET status = 'running', attempt = $1, handler = $2 WHERE id = $3 AND status = 'queued' RETURNING *",
    [attempt, handler, id],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/**
 * In a transaction: the event's row is locked first, so a claim, a finish or another request of the
 * same event waits for this one's outcome.
 */
export async function requestRun(db: Queryable, request: RunRequest): Promise<{ run: Run } | RunRefusal> {
  const earlier = await getRun(db, request.runId);
  const { rows } = earlier
    ? await db.query<{ state: EventState; attempts: number }>(
        "SELECT state, attempts FROM events WHERE id = $1 FOR UPDATE",
        [earlier.eventId],
      )
    : { rows: [] };
  const event = rows[0];
  // Read again under the event's lock: it may have finished (or been cancelled) since the first read.
  const current = earlier && (await getRun(db, earlier.id));
  const refusal = refuseRequest(request, current, event?.state);
  if (refusal || !current || !event) return refusal!;
  await db.query(
    "UPDATE events SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE id = $1",
    [current.eventId],
  );
  const run = await createRun(
    db,
    {
      eventId: current.eventId,
      project: current.project,
      attempt: event.attempts + 1,
      handler: current.handler,
      ...(request.kind === "rerun" ? { rerunOf: current.id } : { retryOf: current.id }),
      requestedBy: request.requestedBy,
    },
    "queued",
  );
  return { run };
}

/** In a transaction, the event's row locked: a claim of it waits for this. */
export async function cancelEvent(
  db: Queryable,
  eventId: string,
  requestedBy: string,
): Promise<{ run: Run } | RunRefusal> {
  const { rows } = await db.query<{ state: EventState; attempts: number; project: string }>(
    "SELECT state, attempts, project FROM events WHERE id = $1 FOR UPDATE",
    [eventId],
  );
  const event = rows[0];
  const newest = await db.query("SELECT * FROM runs WHERE event_id = $1 ORDER BY id DESC LIMIT 1", [eventId]);
  const plan = planEventCancel(eventId, event?.state, newest.rows[0] ? toRun(newest.rows[0]) : undefined);
  if ("refused" in plan) return plan;
  if ("runId" in plan) return cancelRun(db, plan.runId, requestedBy);
  const run = await createRun(
    db,
    { eventId, project: event!.project, attempt: event!.attempts + 1, handler: "script" },
    "queued",
  );
  return cancelRun(db, run.id, requestedBy);
}

/** In a transaction: the run's row is locked, so its worker's finish waits for this. */
export async function cancelRun(
  db: Queryable,
  id: string,
  requestedBy: string,
): Promise<{ run: Run } | RunRefusal> {
  const { rows } = await db.query("SELECT * FROM runs WHERE id = $1 FOR UPDATE", [id]);
  const run = rows[0] ? toRun(rows[0]) : undefined;
  const refusal = refuseCancel(id, run);
  if (refusal || !run) return refusal!;
  if (run.status === "running") {
    const marked = await db.query("UPDATE runs SET cancel_requested_by = $1 WHERE id = $2 RETURNING *", [
      requestedBy,
      id,
    ]);
    return { run: toRun(marked.rows[0]!) };
  }
  const cancelled = await db.query(
    `UPDATE runs SET status = 'cancelled', finished_at = $1, error = $2, cancel_requested_by = $3
      WHERE id = $4 RETURNING *`,
    [now(), JSON.stringify(cancelledError(requestedBy)), requestedBy, id],
  );
  // Only while no worker has claimed it: a claimed one finds its run cancelled when it starts it.
  await db.query("UPDATE events SET state = 'done' WHERE id = $1 AND state = 'queued'", [run.eventId]);
  return { run: toRun(cancelled.rows[0]!) };
}

/**
 * Unknown ids are ignored: the run may have been pruned by retention meanwhile. A finished run keeps
 * its outcome (see Store.finishRun).
 */
export async function finishRun(
  db: Queryable,
  id: string,
  status: Exclude<RunStatus, "running" | "queued">,
  error?: RunError,
): Promise<void> {
  await db.query(
    "UPDATE runs SET status = $1, finished_at = $2, error = $3 WHERE id = $4 AND status = 'running'",
    [status, now(), error ? JSON.stringify(errorOf(error)) : null, id],
  );
}

export async function getRun(db: Queryable, id: string): Promise<Run | undefined> {
  const { rows } = await db.query("SELECT * FROM runs WHERE id = $1", [id]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function listRuns(db: Queryable, query: RunQuery): Promise<Run[]> {
  const params: unknown[] = [];
  const where = whereClause(runConditions(query, postgresDialect(params)));
  params.push(limitOf(query.limit, 100));
  const { rows } = await db.query(
    `SELECT * FROM runs ${where} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRun);
}

/** Numbered placeholders; the image column is JSON text. */
export function postgresDialect(params: unknown[]): Dialect {
  return {
    bind(value) {
      params.push(value);
      return `$${params.length}`;
    },
    imageField: (field) => `(image::jsonb ->> '${field}')`,
  };
}

/** A finished run with its jobs and logs, in one transaction; a running one is left alone. */
export async function deleteRun(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "DELETE FROM runs WHERE id = $1 AND status NOT IN ('running', 'queued')",
    [id],
  );
  if ((rowCount ?? 0) === 0) return false;
  await db.query("DELETE FROM jobs WHERE run_id = $1", [id]);
  await db.query("DELETE FROM logs WHERE run_id = $1", [id]);
  return true;
}

export async function createJob(db: Queryable, job: NewJob): Promise<JobRecord> {
  const { rows } = await db.query(
    `INSERT INTO jobs (id, run_id, name, image, status, tasks, env_names, created_at,
                       spec_hash, reused_run_id, reused_job_id, exit_code, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
    [
      newId(),
      job.runId,
      job.name,
      job.image,
      job.status,
      JSON.stringify(job.tasks),
      JSON.stringify(job.envNames),
      now(),
      job.specHash ?? null,
      job.reusedFrom?.runId ?? null,
      job.reusedFrom?.jobId ?? null,
      job.exitCode ?? null,
      job.startedAt ?? null,
      job.finishedAt ?? null,
    ],
  );
  return toJob(rows[0]!);
}

/** A field left out of the patch keeps its value; unknown ids are ignored, as in finishRun. */
export async function updateJob(db: Queryable, id: string, patch: JobPatch): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (patch.status !== undefined) set("status", patch.status);
  if (patch.exitCode !== undefined) set("exit_code", patch.exitCode);
  if (patch.startedAt !== undefined) set("started_at", patch.startedAt);
  if (patch.finishedAt !== undefined) set("finished_at", patch.finishedAt);
  if (patch.error !== undefined) set("error", JSON.stringify(errorOf(patch.error)));
  if (sets.length === 0) return;
  await db.query(`UPDATE jobs SET ${sets.join(", ")} WHERE id = $1`, params);
}

export async function listJobs(db: Queryable, runId: string): Promise<JobRecord[]> {
  const { rows } = await db.query("SELECT * FROM jobs WHERE run_id = $1 ORDER BY seq", [runId]);
  return rows.map(toJob);
}
