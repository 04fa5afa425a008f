/** Starts a handler's job: policy checks, a job record, the executor, logs, the final status. */
import type {
  Executor,
  JobRecord,
  JobResult,
  JobSpec,
  JobStatus,
  ProjectConfig,
  ProjectCredentials,
  Run,
} from "@bosun/core";
import type { Store } from "@bosun/store";
import type { JobLauncher } from "../handlers/types.js";
import { runJobLimits } from "./run-job-limits.js";
import type { LogWriter } from "./log-writer.js";
import { reuseJob } from "./reuse.js";
import { jobSpecHash } from "./spec-hash.js";

export interface LauncherOptions {
  store: Store;
  executor: Executor;
  project: ProjectConfig;
  run: Run;
  logs: LogWriter;
  /** The project's logins: registry ones go with every job (for its pull); every password is redacted. */
  credentials?: ProjectCredentials;
  /** A retry's reusable jobs by name: the ones that succeeded in the retried run (reuse.ts). */
  reusable?: ReadonlyMap<string, JobRecord>;
}

const STATUS: Record<JobResult["outcome"], JobStatus> = {
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed_out",
  cancelled: "cancelled",
};

export function createJobLauncher({
  store,
  executor,
  project,
  run,
  logs,
  credentials,
  reusable,
}: LauncherOptions): JobLauncher {
  const logins = credentials ?? { docker: [], git: [] };
  const secretValues = [
    ...Object.values(project.secrets),
    ...[...logins.docker, ...logins.git].map((login) => login.password),
  ];
  const limits = runJobLimits(project, run, logs);
  return (spec, signal) => limits.run(spec, signal, () => launch(spec, signal));

  async function launch(spec: JobSpec, signal: AbortSignal): Promise<JobResult> {
    const specHash = jobSpecHash(spec);
    const earlier = reusable?.get(spec.name);
    if (earlier?.specHash === specHash) return reuseJob({ store, run, logs, spec, specHash, earlier });
    const job = await store.createJob({
      runId: run.id,
      name: spec.name,
      image: spec.image,
      status: "running",
      tasks: spec.tasks,
      envNames: Object.keys(spec.env),
      specHash,
    });
    const startedAt = new Date().toISOString();
    await store.updateJob(job.id, { startedAt });
    const refused = refusal(spec, project);
    const result: JobResult = refused
      ? {
          outcome: "failed",
          output: "",
          startedAt,
          finishedAt: startedAt,
          error: { code: "JOB_FAILED", message: refused },
        }
      : await executor.run(
          {
            ...spec,
            timeoutMs: spec.timeoutMs ?? project.timeouts.jobMs,
            secretValues: [...(spec.secretValues ?? []), ...secretValues],
            ...registryCredentials(spec, logins.docker),
            labels: {
              ...spec.labels,
              "bosun.project": project.name,
              "bosun.run": run.id,
              "bosun.job": job.id,
            },
          },
          { signal, onOutput: (text, stream) => logs.write({ runId: run.id, jobId: job.id, stream, text }) },
        );
    if (result.error)
      logs.write({ runId: run.id, jobId: job.id, stream: "stderr", text: `${result.error.message}\n` });
    await store.updateJob(job.id, {
      status: STATUS[result.outcome],
      exitCode: result.exitCode,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      error: result.error,
    });
    return result;
  }
}

/** The job's own registry logins first, then the project's; absent when there are none. */
function registryCredentials(spec: JobSpec, project: ProjectCredentials["docker"]): Partial<JobSpec> {
  const all = [...(spec.registryCredentials ?? []), ...project];
  return all.length > 0 ? { registryCredentials: all } : {};
}

function refusal(spec: JobSpec, project: ProjectConfig): string | undefined {
  if (spec.privileged && !project.allowPrivileged) {
    return `job "${spec.name}" asks to run privileged, which project "${project.name}" does not allow (set allowPrivileged: true in its config)`;
  }
  const sidecar = spec.sidecars?.find((s) => s.privileged);
  if (sidecar && !project.allowPrivileged) {
    return `job "${spec.name}" asks to run its sidecar "${sidecar.name}" privileged, which project "${project.name}" does not allow (set allowPrivileged: true in its config)`;
  }
  if (spec.dockerSocket && !project.allowPrivileged) {
    return `job "${spec.name}" asks for the container engine's socket (job.docker.enabled), which project "${project.name}" does not allow (set allowPrivileged: true in its config)`;
  }
  return undefined;
}

/** Records what a job would do without running it (`--dry-run`). */
export function createDryRunLauncher(store: Store, run: Run): JobLauncher {
  return async (spec) => {
    const at = new Date().toISOString();
    await store.createJob({
      runId: run.id,
      name: spec.name,
      image: spec.image,
      status: "dry_run",
      tasks: spec.tasks,
      envNames: Object.keys(spec.env),
    });
    return { outcome: "succeeded", output: "", startedAt: at, finishedAt: at };
  };
}
