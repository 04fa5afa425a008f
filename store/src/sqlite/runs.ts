import type { DatabaseSync, StatementSync } from "node:sqlite";
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
import { limitOf, now } from "./rows.js";
import { errorOf, toJob, toRun } from "../records.js";

export type JobPatch = Partial<Pick<JobRecord, "status" | "exitCode" | "startedAt" | "finishedAt" | "error">>;

/** The runs and jobs tables. Synchronous; writes are meant to run inside a group-commit batch. */
export class RunTables {
  readonly #db: DatabaseSync;
  readonly #insertRun: StatementSync;
  readonly #finishRun: StatementSync;
  readonly #runById: StatementSync;
  /** One statement per combination of filters, so each can use its index. */
  readonly #listRuns = new Map<string, StatementSync>();
  readonly #insertJob: StatementSync;
  readonly #updateJob: StatementSync;
  readonly #jobsOfRun: StatementSync;
  readonly #deleteRun: StatementSync;
  readonly #deleteJobs: StatementSync;
  readonly #deleteLogs: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertRun = db.prepare(
      `INSERT INTO runs (id, event_id, project, attempt, handler, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?) RETURNING *`,
    );
    this.#finishRun = db.prepare(
      "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
    );
    this.#runById = db.prepare("SELECT * FROM runs WHERE id = ?");
    this.#insertJob = db.prepare(
      `INSERT INTO jobs (id, run_id, name, image, status, tasks, env_names, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    // A field left out of the patch keeps its value: each SET is guarded by a has_* flag.
    this.#updateJob = db.prepare(
      `UPDATE jobs SET
         status      = CASE WHEN :has_status   THEN :status      ELSE status      END,
         exit_code   = CASE WHEN :has_exit     THEN :exit_code   ELSE exit_code   END,
         started_at  = CASE WHEN :has_started  THEN :started_at  ELSE started_at  END,
         finished_at = CASE WHEN :has_finished THEN :finished_at ELSE finished_at END,
         error       = CASE WHEN :has_error    THEN :error       ELSE error       END
       WHERE id = :id`,
    );
    this.#jobsOfRun = db.prepare("SELECT * FROM jobs WHERE run_id = ? ORDER BY seq");
    this.#deleteRun = db.prepare("DELETE FROM runs WHERE id = ? AND status <> 'running'");
    this.#deleteJobs = db.prepare("DELETE FROM jobs WHERE run_id = ?");
    this.#deleteLogs = db.prepare("DELETE FROM logs WHERE run_id = ?");
  }

  createRun(run: NewRun): Run {
    const row = this.#insertRun.get(newId(), run.eventId, run.project, run.attempt, run.handler, now());
    return toRun(row!);
  }

  /** Unknown ids are ignored: the run may have been pruned by retention meanwhile. */
  finishRun(id: string, status: Exclude<RunStatus, "running">, error?: RunError): void {
    this.#finishRun.run(status, now(), error ? JSON.stringify(errorOf(error)) : null, id);
  }

  getRun(id: string): Run | undefined {
    const row = this.#runById.get(id);
    return row ? toRun(row) : undefined;
  }

  listRuns(query: RunQuery): Run[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.project !== undefined) {
      where.push("project = ?");
      params.push(query.project);
    }
    if (query.eventId !== undefined) {
      where.push("event_id = ?");
      params.push(query.eventId);
    }
    if (query.status !== undefined) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.before !== undefined) {
      where.push("id < ?");
      params.push(query.before);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    let statement = this.#listRuns.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#listRuns.set(sql, statement);
    }
    return statement.all(...params, limitOf(query.limit, 100)).map(toRun);
  }

  createJob(job: NewJob): JobRecord {
    const row = this.#insertJob.get(
      newId(),
      job.runId,
      job.name,
      job.image,
      job.status,
      JSON.stringify(job.tasks),
      JSON.stringify(job.envNames),
      now(),
    );
    return toJob(row!);
  }

  /** Unknown ids are ignored, as in finishRun. */
  updateJob(id: string, patch: JobPatch): void {
    this.#updateJob.run({
      id,
      has_status: flag(patch.status),
      status: patch.status ?? null,
      has_exit: flag(patch.exitCode),
      exit_code: patch.exitCode ?? null,
      has_started: flag(patch.startedAt),
      started_at: patch.startedAt ?? null,
      has_finished: flag(patch.finishedAt),
      finished_at: patch.finishedAt ?? null,
      has_error: flag(patch.error),
      error: patch.error ? JSON.stringify(errorOf(patch.error)) : null,
    });
  }

  listJobs(runId: string): JobRecord[] {
    return this.#jobsOfRun.all(runId).map(toJob);
  }

  /** A finished run with its jobs and logs; a running one is left alone. */
  deleteRun(id: string): boolean {
    if (Number(this.#deleteRun.run(id).changes) === 0) return false;
    this.#deleteJobs.run(id);
    this.#deleteLogs.run(id);
    return true;
  }
}

function flag(value: unknown): number {
  return value === undefined ? 0 : 1;
}
