/**
 * One task of a Dispatchfile: a workspace, its git inputs cloned into it, then its steps in order,
 * each one job. The first step that fails fails the task; the rest of its steps do not run.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { ErrorCode, JobMount, RunError } from "@bosun/core";
import type { Dispatchfile, Step, Task } from "@bosun/dispatchfile";
import type { RunContext } from "../types.js";
import { cloneAt, GitError } from "./git.js";
import { jobName, stepJob } from "./step-job.js";
import { resourceParams, StepRefusedError, taskVariables, type Variables } from "./variables.js";

export interface TaskOutcome {
  status: "succeeded" | "failed" | "cancelled";
  error?: RunError;
  /** Each step's output, trimmed, for `$(inputs.tasks.TASK.STEP)`. */
  stepOutputs: Map<string, string>;
}

export interface TaskRun {
  context: RunContext;
  dispatchfile: Dispatchfile;
  name: string;
  /** `<workDir>/runs/<runId>`. */
  runDir: string;
  contextVariables: Variables;
  /** Step outputs of the tasks this one depends on. */
  before: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Job names used so far in the run. */
  jobNames: Set<string>;
}

export async function runTask(run: TaskRun): Promise<TaskOutcome> {
  const { context, dispatchfile, name } = run;
  const task = dispatchfile.task[name];
  const stepOutputs = new Map<string, string>();
  const failed = (message: string, code: ErrorCode = "JOB_FAILED"): TaskOutcome => ({
    status: "failed",
    error: { code, message },
    stepOutputs,
  });
  if (!task) return failed(`task "${name}" is not defined`);
  const workspace = join(run.runDir, "tasks", pathSegment(name));
  const deadline = task.timeoutMs === undefined ? undefined : Date.now() + task.timeoutMs;
  let variables: Variables;
  try {
    // The run's folder is the server's alone, as the script handler's (see PRIVATE_DIR there).
    await mkdir(run.runDir, { recursive: true, mode: 0o700 });
    await mkdir(workspace, { recursive: true });
    variables = taskVariables(dispatchfile, name, run.contextVariables, run.before);
    await cloneGitInputs(run, task, workspace);
  } catch (err) {
    if (context.signal.aborted) return { status: "cancelled", stepOutputs };
    if (err instanceof GitError || err instanceof StepRefusedError)
      return failed(`task "${name}": ${err.message}`);
    // The workspace could not be made (disk full, permissions): the task fails, the worker carries on.
    return failed(`task "${name}": cannot prepare its workspace: ${(err as Error).message}`);
  }

  for (const step of task.steps) {
    const job = jobName(name, step.name, run.jobNames);
    const remaining = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
    let spec;
    try {
      const mounts = await volumeMounts(run, task, step);
      spec = stepJob({
        task: name,
        step,
        jobName: job,
        variables,
        secrets: context.project.secrets,
        workspace,
        mounts,
        timeoutMs: remaining,
      });
    } catch (err) {
      if (!(err instanceof StepRefusedError)) throw err;
      context.log(`task ${name}: step ${step.name} refused: ${err.message}\n`);
      return failed(`task "${name}" step "${step.name}" was not started: ${err.message}`);
    }
    context.log(`task ${name}: step ${step.name} (job ${job}) started\n`);
    const result = await context.launchJob(spec, context.signal);
    stepOutputs.set(step.name, result.output.replace(/(?<!\n)\n+$/, ""));
    if (result.outcome === "succeeded") {
      context.log(`task ${name}: step ${step.name} succeeded\n`);
      continue;
    }
    if (result.outcome === "cancelled") return { status: "cancelled", stepOutputs };
    const why =
      result.outcome === "timed_out"
        ? `timed out${task.timeoutMs === undefined ? "" : ` (task timeout ${task.timeoutMs / 1000}s)`}`
        : (result.error?.message ?? `exited with code ${result.exitCode ?? "unknown"}`);
    context.log(`task ${name}: step ${step.name} failed: ${why}\n`);
    return failed(
      `task "${name}" step "${step.name}" (job ${job}) failed: ${why}`,
      result.outcome === "timed_out" ? "JOB_TIMED_OUT" : "JOB_FAILED",
    );
  }
  return { status: "succeeded", stepOutputs };
}

/** Git inputs cloned to `<workspace>/<resource>` (`/workspace/<resource>` in the steps). */
async function cloneGitInputs(
  { context, dispatchfile, name, contextVariables }: TaskRun,
  task: Task,
  workspace: string,
) {
  for (const input of task.inputs) {
    if (dispatchfile.resource[input]?.type !== "git") continue;
    const params = resourceParams(dispatchfile, input, contextVariables) ?? {};
    const url = params.url ?? "";
    if (!url) {
      throw new GitError(
        `git resource "${input}" has no url (a $(context.git.*) variable is empty when the Dispatchfile is not read from git)`,
      );
    }
    const dir = join(workspace, pathSegment(input));
    try {
      const checkout = await cloneAt(url, params.revision || undefined, dir, context.signal, {
        logins: context.credentials?.git ?? [],
        project: context.project.name,
      });
      context.log(
        `task ${name}: cloned git resource ${input} at ${checkout.commit.slice(0, 12)} into /workspace/${input}\n`,
      );
    } catch (err) {
      if (err instanceof GitError) throw new GitError(`cannot clone git resource "${input}": ${err.message}`);
      throw err;
    }
  }
}

/** Steps' volumeMounts: a task's emptyDir volumes are directories kept for the task's steps. */
async function volumeMounts({ runDir, name }: TaskRun, task: Task, step: Step): Promise<JobMount[]> {
  const mounts: JobMount[] = [];
  for (const mount of step.volumeMounts) {
    const volume = task.volumes.find((v) => v.name === mount.name);
    if (!volume || !("emptyDir" in volume.source)) {
      const kind = volume ? Object.keys(volume.source).join(", ") || "empty" : "undefined";
      throw new StepRefusedError(
        `volumeMount "${mount.name}" of step "${step.name}" names a${volume ? ` ${kind}` : "n undefined"} volume; only emptyDir volumes are supported`,
      );
    }
    const dir = join(runDir, "volumes", pathSegment(name), pathSegment(mount.name));
    const source = mount.subPath ? resolve(dir, mount.subPath) : dir;
    if (source !== dir && !source.startsWith(dir + sep)) {
      throw new StepRefusedError(
        `subPath ${JSON.stringify(mount.subPath)} of volumeMount "${mount.name}" leaves the volume`,
      );
    }
    await mkdir(runDir, { recursive: true, mode: 0o700 });
    await mkdir(source, { recursive: true });
    mounts.push({ source, target: mount.mountPath, ...(mount.readOnly ? { readOnly: true } : {}) });
  }
  return mounts;
}

/** A name as one directory: never a path of its own (`..`, slashes). */
export function pathSegment(name: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) ? name : encodeURIComponent(name).replace(/^\./, "%2E");
}
