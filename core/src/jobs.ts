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

/** Kubernetes quantities: cpu "500m" or "2", memory "256Mi" or "1G". */
export interface JobResources {
  cpu?: string;
  memory?: string;
}

/**
 * A container run beside a job's own, sharing its network (reachable on 127.0.0.1), started before it
 * and stopped and removed once it ends, however it ends (Brigade v2's sidecar containers).
 */
export interface JobSidecar {
  /** Unique within the job. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint; `args` follow it (or, without it, replace the image's Cmd). */
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  privileged?: boolean;
  imageForcePull?: boolean;
}

/**
 * Every option of a job, whoever asks for it (a script's Job, a Dispatchfile step): the one
 * vocabulary executors read. What each executor does with each field is its JobSpecSupport table.
 */
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
  /** Names of Secrets the cluster pulls `image` with (Brigade's imagePullSecrets). */
  imagePullSecrets?: string[];
  /** Pull `image` even when it is present (Kubernetes' imagePullPolicy: Always). */
  imageForcePull?: boolean;
  /** The account the job runs as in the cluster; none: the executor's own default. */
  serviceAccount?: string;
  /** Annotations of the job's pod. */
  annotations?: Record<string, string>;
  resourceRequests?: JobResources;
  resourceLimits?: JobResources;
  /** Where the job may run: a node's OS, its name, and labels it must have. */
  host?: { os?: string; name?: string; nodeSelector?: Record<string, string> };
  /**
   * Brigade's `storage`: a workspace shared by the jobs of one run, at `path`. The local executors get
   * it as a host folder in `mounts` (the script handler adds it); kubernetes mounts its workspace claim.
   */
  storage?: { enabled: boolean; path: string };
  /** Brigade's `cache`: a folder kept per project and job, at `path`; handed over as `storage` is. */
  cache?: { enabled: boolean; path: string; size?: string };
  /** Containers run beside the job's, sharing its network; they get its mounts and secret redaction. */
  sidecars?: JobSidecar[];
}

/** What an executor does with one JobSpec field: honours it, or has a documented limitation. */
export type JobFieldSupport = "honoured" | { limitation: string };

/** Per executor, for every JobSpec field (docs/executors.md shows the tables). */
export type JobSpecSupport = Readonly<Record<keyof JobSpec, JobFieldSupport>>;

/** Every field of JobSpec, for checks at run time; the type makes the list complete. */
export const JOB_SPEC_FIELDS: readonly (keyof JobSpec)[] = Object.keys({
  name: true,
  image: true,
  tasks: true,
  command: true,
  args: true,
  shell: true,
  env: true,
  secretValues: true,
  workingDir: true,
  mounts: true,
  timeoutMs: true,
  privileged: true,
  dockerSocket: true,
  labels: true,
  registryCredentials: true,
  imagePullSecrets: true,
  imageForcePull: true,
  serviceAccount: true,
  annotations: true,
  resourceRequests: true,
  resourceLimits: true,
  host: true,
  storage: true,
  cache: true,
  sidecars: true,
} satisfies Record<keyof JobSpec, true>) as (keyof JobSpec)[];

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
