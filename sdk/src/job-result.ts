import type { JobOutcome, JobResultData } from "./protocol.js";

/** What `job.run()` resolves to. `toString()` is the job's output, trimmed, as in Brigade. */
export class JobResult {
  readonly job: string;
  readonly outcome: JobOutcome;
  /** Absent when the job never ran (image pull failure) or was killed. */
  readonly exitCode: number | undefined;
  /** Combined stdout and stderr, secrets redacted. */
  readonly output: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Why it failed outside its own exit code (image pull, engine error). */
  readonly error: { code: string; message: string } | undefined;

  constructor(job: string, data: JobResultData) {
    this.job = job;
    this.outcome = data.outcome;
    this.exitCode = data.exitCode;
    this.output = data.output;
    this.startedAt = data.startedAt;
    this.finishedAt = data.finishedAt;
    this.error = data.error;
  }

  get succeeded(): boolean {
    return this.outcome === "succeeded";
  }

  toString(): string {
    return this.output.trim();
  }
}

const CODES = { failed: "JOB_FAILED", timed_out: "JOB_TIMED_OUT", cancelled: "JOB_CANCELLED" } as const;
export type JobErrorCode = (typeof CODES)[keyof typeof CODES];

/** How `job.run()` rejects when the job did not succeed. */
export class JobFailedError extends Error {
  readonly code: JobErrorCode;
  readonly job: string;
  readonly exitCode: number | undefined;
  readonly result: JobResult;

  constructor(result: JobResult, timeoutMs?: number) {
    super(describeFailure(result, timeoutMs));
    this.name = "JobFailedError";
    this.code = CODES[result.outcome as keyof typeof CODES] ?? "JOB_FAILED";
    this.job = result.job;
    this.exitCode = result.exitCode;
    this.result = result;
  }
}

/** The host refused a call (bad input, a limit reached) or could not carry it out. */
export class HostCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "HostCallError";
    this.code = code;
  }
}

function describeFailure(result: JobResult, timeoutMs?: number): string {
  const exit = result.exitCode === undefined ? "no exit code" : `exit code ${result.exitCode}`;
  const why = result.error ? `: ${result.error.message}` : "";
  switch (result.outcome) {
    case "timed_out":
      return `job "${result.job}" timed out${timeoutMs === undefined ? "" : ` after ${timeoutMs} ms`} (${exit})${why}`;
    case "cancelled":
      return `job "${result.job}" was cancelled (${exit})${why}`;
    default:
      return result.exitCode === undefined
        ? `job "${result.job}" failed (no exit code)${why}`
        : `job "${result.job}" failed with exit code ${result.exitCode}${why}`;
  }
}
