import type {
  JobResult,
  JobSpec,
  ProjectConfig,
  ProjectCredentials,
  Run,
  RunError,
  RunStatus,
} from "@bosun/core";
import type { StoredEvent } from "@bosun/store";

/** How a handler starts a job: records it, runs it on the project's executor, stores its logs. */
export type JobLauncher = (spec: JobSpec, signal: AbortSignal) => Promise<JobResult>;

export interface RunContext {
  event: StoredEvent;
  project: ProjectConfig;
  run: Run;
  signal: AbortSignal;
  launchJob: JobLauncher;
  /**
   * The project's logins (`bosun login`), read once for the run. The launcher already gives jobs the
   * registry logins; handlers use the git ones for the clones they make (Dispatchfile git resources).
   */
  credentials: ProjectCredentials;
  /** The handler's own output (script console), secrets redacted before storage. */
  log(text: string): void;
}

export interface RunOutcome {
  status: Exclude<RunStatus, "queued" | "running" | "abandoned">;
  error?: RunError;
}

/** Turns one event into one run's outcome: the project's script, or its Dispatchfile. Never throws. */
export interface EventHandler {
  readonly kind: Run["handler"];
  handle(context: RunContext): Promise<RunOutcome>;
}
