import {
  newId,
  type JobRecord,
  type NewJob,
  type NewRun,
  type Run,
  type RunError,
  type RunStatus,
} from "@bosun/core";
import type { RunQuery } from "../types.js";
import { limitOf, now } from "../rows.js";
import type { Queryable } from "./rows.js";
import { errorOf, toJob, toRun } from "../records.js";

export type JobPatch = Partial<Pick<JobRecord, "status" | "exitCode" | "startedAt" | "finishedAt" | "error">>;

export async function createRun(db: Queryable, run: NewRun): Promise<Run> {
  const { rows } = await db.query(
    `INSERT INTO runs (id, event_id, project, attempt, handler, status, created_at)
     VALUES ($1, $2, $3, $4, $5, 'running', $6) RETURNING *`,
    [newId(), run.eventId, run.project, run.attempt, run.handler, now()],
  );
  return toRun(rows[0]!);
}

/**
 * Unknown ids are ignored: the run may have been pruned by retention meanwhile. A finished run keeps
 * its outcome (see Store.finishRun).
 */
export async function finishRun(
  db: Queryable,
  id: string,
  status: Exclude<RunStatus, "running">,
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
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.project !== undefined) {
    params.push(query.project);
    where.push(`project = $${params.length}`);
  }
  if (query.eventId !== undefined) {
    params.push(query.eventId);
    where.push(`event_id = $${params.length}`);
  }
  if (query.status !== undefined) {
    params.push(query.status);
    where.push(`status = $${params.length}`);
  }
  if (query.before !== undefined) {
    params.push(query.before);
    where.push(`id < $${params.length}`);
  }
  params.push(limitOf(query.limit, 100));
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const { rows } = await db.query(
    `SELECT * FROM runs ${filter} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRun);
}

/** A finished run with its jobs and logs, in one transaction; a running one is left alone. */
export async function deleteRun(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM runs WHERE id = $1 AND status <> 'running'", [id]);
  if ((rowCount ?? 0) === 0) return false;
  await db.query("DELETE FROM jobs WHERE run_id = $1", [id]);
  await db.query("DELETE FROM logs WHERE run_id = $1", [id]);
  return true;
}

export async function createJob(db: Queryable, job: NewJob): Promise<JobRecord> {
  const { rows } = await db.query(
    `INSERT INTO jobs (id, run_id, name, image, status, tasks, env_names, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      newId(),
      job.runId,
      job.name,
      job.image,
      job.status,
      JSON.stringify(job.tasks),
      JSON.stringify(job.envNames),
      now(),
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
