/** Runs, jobs and logs: what a user looks at after a push. */
import type { ErrorCode } from "./error-codes.js";

/** Final or current state of a run: one per (event, project, attempt). */
export type RunStatus =
  /** Asked for (`bosun runs rerun|retry`) and waiting for a worker to claim its event. */
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "out_of_memory"
  | "cancelled"
  /** The worker that held the run died; the event was claimed again and a new run started. */
  | "abandoned";

/** Every RunStatus, for checking a filter a user gave. */
export const RUN_STATUSES: readonly RunStatus[] = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "out_of_memory",
  "cancelled",
  "abandoned",
];

/** A run that has an outcome: neither waiting for a worker nor running. */
export function isRunFinished(status: RunStatus): boolean {
  return status !== "queued" && status !== "running";
}

export type JobStatus =
  "pending" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "dry_run";

export interface RunError {
  code: ErrorCode;
  message: string;
  /** Stack in the script's own file and line numbers, when the script threw. */
  stack?: string;
}

export interface Run {
  id: string;
  eventId: string;
  project: string;
  /** 1 for the first claim of the event, 2 after a lease expired, and so on. */
  attempt: number;
  handler: "script" | "dispatchfile";
  status: RunStatus;
  createdAt: string;
  finishedAt?: string;
  error?: RunError;
  /** The run this one runs again from the start (`bosun runs rerun`). */
  rerunOf?: string;
  /** The failed run this one retries, reusing the jobs that succeeded in it (`bosun runs retry`). */
  retryOf?: string;
  /** Who asked for this run (a rerun or retry) or for its cancellation: the kind of token, e.g. "admin". */
  requestedBy?: string;
  /** Who asked to cancel it while it ran; the worker holding it stops its jobs and ends it `cancelled`. */
  cancelRequestedBy?: string;
}

export type NewRun = Pick<Run, "eventId" | "project" | "attempt" | "handler"> &
  Partial<Pick<Run, "rerunOf" | "retryOf" | "requestedBy">>;

/** A finished run, run again: from the start (rerun) or only the jobs that did not succeed (retry). */
export interface RunRequest {
  kind: "rerun" | "retry";
  /** The run to run again. */
  runId: string;
  requestedBy: string;
}

export interface JobRecord {
  id: string;
  runId: string;
  name: string;
  image: string;
  status: JobStatus;
  /** The tasks as the script gave them; they may mention env names, never secret values. */
  tasks: string[];
  /** Names only: values can be secrets. */
  envNames: string[];
  exitCode?: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: RunError;
  /** A hash of everything the job was asked to be (image, tasks, command, env names and values...). */
  specHash?: string;
  /** A retry reused this job's result: the job that ran, whose logs are the job's logs. */
  reusedFrom?: { runId: string; jobId: string };
}

export type NewJob = Pick<JobRecord, "runId" | "name" | "image" | "status" | "tasks" | "envNames"> &
  Partial<Pick<JobRecord, "specHash" | "reusedFrom" | "exitCode" | "startedAt" | "finishedAt">>;

export type LogStream = "stdout" | "stderr" | "script";

export interface LogEntry {
  /** Increasing within the store: readers follow with afterSeq. */
  seq: number;
  runId: string;
  /** Absent for the script's own console output. */
  jobId?: string;
  stream: LogStream;
  text: string;
  at: string;
}

export type NewLogEntry = Omit<LogEntry, "seq" | "at">;
