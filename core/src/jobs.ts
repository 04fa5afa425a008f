/** What an executor runs, and what it reports. Shared by the worker and the SDK's types. */
import type { RegistryLogin } from "./credentials/types.js";
import type { ErrorCode } from "./error-codes.js";

export interface JobMount {
  /** Host directory (docker, host executors) or volume name (kubernetes). */
  source: string;
  /** Path inside the job. */
  target: string;
  readOnly?: boolean;
}

export interface JobSpec {
  /** Unique within the run; used in container names and labels. */
  name: string;
  image: string;
  /** Run in order by `shell`, stopping at the first failure. Empty: `command` (else the image's own) with `args`. */
  tasks: string[];
  /** Replaces the image's entrypoint when `tasks` is empty (Kubernetes' `command`). */
  command?: string[];
  args?: string[];
  /** Default "/bin/sh". */
  shell?: string;
  env: Record<string, string>;
  /** Values to redact from output before it is stored or streamed. */
  secretValues?: string[];
  workingDir?: string;
  mounts?: JobMount[];
  timeoutMs?: number;
  privileged?: boolean;
  /**
   * Mount the container engine's API socket at /var/run/docker.sock (Brigade's job.docker.enabled), for
   * image builds. It gives control of the engine, so it is allowed where `privileged` is.
   */
  dockerSocket?: boolean;
  /** Labels that identify project, run and job on the container or pod. */
  labels: Record<string, string>;
  /** The project's registry logins (`bosun login docker`), for pulling `image`: docker sends them with the pull, kubernetes as a per-job imagePullSecret. */
  registryCredentials?: RegistryLogin[];
}

export type JobOutcome = "succeeded" | "failed" | "timed_out" | "cancelled";

export interface JobResult {
  outcome: JobOutcome;
  /** Absent when the job never ran (pull failure) or was killed. */
  exitCode?: number;
  /** Combined output, secrets redacted. */
  output: string;
  startedAt: string;
  finishedAt: string;
  /** Why it failed before or outside the job's own exit code (image pull, engine error). */
  error?: { code: ErrorCode; message: string };
}

export interface JobRunContext {
  signal: AbortSignal;
  /** Called with output as it arrives (already redacted). */
  onOutput?: (text: string, stream: "stdout" | "stderr") => void;
}

/** Runs one job to completion. Never rejects for the job's own failure: that is an outcome. */
export interface Executor {
  readonly kind: "docker" | "kubernetes" | "host";
  run(spec: JobSpec, context: JobRunContext): Promise<JobResult>;
}
