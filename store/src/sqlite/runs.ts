import type { DatabaseSync, StatementSync } from "node:sqlite";
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
import { limitOf, now } from "./rows.js";
import { errorOf, newRunValues, toJob, toRun } from "../records.js";

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
  readonly #startRun: StatementSync;
  readonly #eventState: StatementSync;
  readonly #newestRun: StatementSync;
  readonly #requeueEvent: StatementSync;
  readonly #dequeueEvent: StatementSync;
  readonly #requestCancel: StatementSync;
  readonly #cancelQueued: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertRun = db.prepare(
      `INSERT INTO runs (id, event_id, project, attempt, handler, status, created_at, rerun_of, retry_of, requested_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.#startRun = db.prepare(
      "UPDATE runs SET status = 'running', attempt = ?, handler = ? WHERE id = ? AND status = 'queued' RETURNING *",
    );
    this.#eventState = db.prepare("SELECT state, attempts, project FROM events WHERE id = ?");
    this.#newestRun = db.prepare("SELECT * FROM runs WHERE event_id = ? ORDER BY id DESC LIMIT 1");
    this.#requeueEvent = db.prepare(
      "UPDATE events SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND state = 'done'",
    );
    // Only while no worker has claimed it: a claimed one finds its run cancelled when it starts it.
    this.#dequeueEvent = db.prepare("UPDATE events SET state = 'done' WHERE id = ? AND state = 'queued'");
    this.#requestCancel = db.prepare(
      "UPDATE runs SET cancel_requested_by = ? WHERE id = ? AND status = 'running' RETURNING *",
    );
    this.#cancelQueued = db.prepare(
      `UPDATE runs SET status = 'cancelled', finished_at = ?, error = ?, cancel_requested_by = ?
        WHERE id = ? AND status = 'queued' RETURNING *`,
    );
    this.#finishRun = db.prepare(
      "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
    );
    this.#runById = db.prepare("SELECT * FROM runs WHERE id = ?");
    this.#insertJob = db.prepare(
      `INSERT INTO jobs (id, run_id, name, image, status, tasks, env_names, created_at,
                         spec_hash, reused_run_id, reused_job_id, exit_code, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
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
    this.#deleteRun = db.prepare("DELETE FROM runs WHERE id = ? AND status NOT IN ('running', 'queued')");
    this.#deleteJobs = db.prepare("DELETE FROM jobs WHERE run_id = ?");
    this.#deleteLogs = db.prepare("DELETE FROM logs WHERE run_id = ?");
  }

  createRun(run: NewRun, status: "running" | "queued" = "running"): Run {
    const row = this.#insertRun.get(...newRunValues(run, status));
    return toRun(row!);
  }

  startRun(id: string, attempt: number, handler: Run["handler"]): Run | undefined {
    const row = this.#startRun.get(attempt, handler, id);
    return row ? toRun(row) : undefined;
  }

  /** Inside a batch: the checks and both writes in one unit. */
  requestRun(request: RunRequest): { run: Run } | RunRefusal {
    const earlier = this.getRun(request.runId);
    const event = earlier && this.#eventState.get(earlier.eventId);
    const refusal = refuseRequest(
      request,
      earlier,
      event ? (String(event["state"]) as EventState) : undefined,
    );
    if (refusal || !earlier || !event) return refusal!;
    this.#requeueEvent.run(earlier.eventId);
    const run = this.createRun(
      {
        eventId: earlier.eventId,
        project: earlier.project,
        attempt: Number(event["attempts"]) + 1,
        handler: earlier.handler,
        ...(request.kind === "rerun" ? { rerunOf: earlier.id } : { retryOf: earlier.id }),
        requestedBy: request.requestedBy,
      },
      "queued",
    );
    return { run };
  }

  /** Inside a batch, which no other write interleaves: the run read is the run written. */
  cancelRun(id: string, requestedBy: string): { run: Run } | RunRefusal {
    const run = this.getRun(id);
    const refusal = refuseCancel(id, run);
    if (refusal || !run) return refusal!;
    if (run.status === "queued") {
      const error = JSON.stringify(cancelledError(requestedBy));
      const row = this.#cancelQueued.get(now(), error, requestedBy, id);
      this.#dequeueEvent.run(run.eventId);
      return { run: toRun(row!) };
    }
    return { run: toRun(this.#requestCancel.get(requestedBy, id)!) };
  }

  /** Inside a batch. A run the event never had is made queued, then cancelled as such. */
  cancelEvent(eventId: string, requestedBy: string): { run: Run } | RunRefusal {
    const event = this.#eventState.get(eventId);
    const newest = this.#newestRun.get(eventId);
    const state = event ? (String(event["state"]) as EventState) : undefined;
    const plan = planEventCancel(eventId, state, newest ? toRun(newest) : undefined);
    if ("refused" in plan) return plan;
    if ("runId" in plan) return this.cancelRun(plan.runId, requestedBy);
    const run = this.createRun(
      {
        eventId,
        project: String(event!["project"]),
        attempt: Number(event!["attempts"]) + 1,
        handler: "script",
      },
      "queued",
    );
    return this.cancelRun(run.id, requestedBy);
  }

  /** Unknown ids are ignored: the run may have been pruned by retention meanwhile. */
  finishRun(id: string, status: Exclude<RunStatus, "running" | "queued">, error?: RunError): void {
    this.#finishRun.run(status, now(), error ? JSON.stringify(errorOf(error)) : null, id);
  }

  getRun(id: string): Run | undefined {
    const row = this.#runById.get(id);
    return row ? toRun(row) : undefined;
  }

  listRuns(query: RunQuery): Run[] {
    const params: unknown[] = [];
    const sql = `SELECT * FROM runs ${whereClause(runConditions(query, sqliteDialect(params)))} ORDER BY id DESC LIMIT ?`;
    let statement = this.#listRuns.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#listRuns.set(sql, statement);
    }
    return statement.all(...(params as string[]), limitOf(query.limit, 100)).map(toRun);
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
      job.specHash ?? null,
      job.reusedFrom?.runId ?? null,
      job.reusedFrom?.jobId ?? null,
      job.exitCode ?? null,
      job.startedAt ?? null,
      job.finishedAt ?? null,
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

/** Positional placeholders, bound in the order the conditions are written. */
export function sqliteDialect(params: unknown[]): Dialect {
  return {
    bind(value) {
      params.push(value);
      return "?";
    },
    imageField: (field) => `json_extract(image, '$.${field}')`,
  };
}

function flag(value: unknown): number {
  return value === undefined ? 0 : 1;
}
