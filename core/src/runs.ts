/** Runs, jobs and logs: what a user looks at after a push. */
import type { ErrorCode } from "./error-codes.js";

/** Final or current state of a run: one per (event, project, attempt). */
export type RunStatus =
  | "running"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "out_of_memory"
  | "cancelled"
  /** The worker that held the run died; the event was claimed again and a new run started. */
  | "abandoned";

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
}

export type NewRun = Pick<Run, "eventId" | "project" | "attempt" | "handler">;

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
}

export type NewJob = Pick<JobRecord, "runId" | "name" | "image" | "status" | "tasks" | "envNames">;

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
