/**
 * The `host` executor: a job's tasks run by `shell -e -c` directly on the worker's
 * machine, in a fresh temporary directory (see job-directory.ts for how mounts appear there). For
 * development only; a project must choose it explicitly. `image` is ignored: there is no container.
 *
 * The shell leads its own process group, so a timeout or cancellation kills everything the job
 * started, and so does the end of the job: nothing it put in the background outlives it.
 */
import type { Executor, JobResult, JobRunContext, JobSpec } from "@bosun/core";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { constants, tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobOutput } from "../job-output.js";
import { stoppedResult, type JobStopper } from "../job-stopper.js";
import { startJob } from "../job-start.js";
import { redactAll } from "../redact.js";
import { createJobDirectory } from "./job-directory.js";
import type { JobDirectory } from "./job-directory.js";

export interface HostExecutorOptions {
  /** Where job directories are created. Default: the system's temporary directory. */
  workRoot?: string;
  /** Variables of the worker's own environment passed on to jobs. Default ["PATH"]. */
  inheritEnv?: string[];
  /** Characters of output kept in JobResult.output (the most recent). Default 1 MiB. */
  maxOutputChars?: number;
  /** After the shell exits, how long its output may stay silent before it is cut. Default 2 s. */
  drainIdleMs?: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

export class HostExecutor implements Executor {
  readonly kind = "host" as const;
  private readonly options: HostExecutorOptions;

  constructor(options: HostExecutorOptions = {}) {
    this.options = options;
  }

  async run(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    const { startedAt, secrets, output, stopper } = startJob(spec, context, this.options.maxOutputChars);
    let dir: JobDirectory | undefined;
    let exit: Exit | undefined;
    let error: JobResult["error"];
    try {
      if (!stopper.reason) {
        dir = await createJobDirectory(this.options.workRoot ?? tmpdir(), spec);
        exit = await this.runShell(spec, dir, output, stopper);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      error = { code: "JOB_FAILED", message: redactAll(`cannot prepare the job: ${message}`, secrets) };
    } finally {
      stopper.dispose();
      output.end();
      await dir?.remove().catch(() => undefined);
    }

    const result = { output: output.text(), startedAt, finishedAt: new Date().toISOString() };
    const stopped = stoppedResult(stopper.reason, spec.timeoutMs, result);
    if (stopped) return stopped;
    if (error) return { ...result, outcome: "failed", error };
    return { ...result, ...outcomeOf(exit, spec, secrets) };
  }

  private async runShell(
    spec: JobSpec,
    dir: JobDirectory,
    output: JobOutput,
    stopper: JobStopper,
  ): Promise<Exit> {
    const [file, ...args] = commandLine(spec);
    if (!file) throw new Error("the job has neither tasks nor args: there is nothing to run on the host");
    const child = spawn(file, args, {
      cwd: dir.cwd,
      env: this.environment(spec, dir),
      // Its own process group (and session), so the group can be killed as a whole.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let lastData = Date.now();
    child.stdout.on("data", (chunk: Buffer) => {
      lastData = Date.now();
      output.write("stdout", chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      lastData = Date.now();
      output.write("stderr", chunk);
    });
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const exited = new Promise<Exit>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", (spawnError) => resolve({ code: null, signal: null, spawnError }));
    });
    const kill = () => killGroup(child);
    stopper.signal.addEventListener("abort", kill, { once: true });
    try {
      const exit = await exited;
      if (exit.spawnError) return exit;
      // Output may still be in the pipes, or held open by something the job left in the background.
      const idleMs = this.options.drainIdleMs ?? 2_000;
      while (!(await Promise.race([closed.then(() => true), sleep(100).then(() => false)]))) {
        if (Date.now() - lastData > idleMs) break;
      }
      return exit;
    } finally {
      stopper.signal.removeEventListener("abort", kill);
      // SIGKILL cannot be ignored; what is left are zombies for init to reap.
      killGroup(child);
      child.stdout.destroy();
      child.stderr.destroy();
    }
  }

  private environment(spec: JobSpec, dir: JobDirectory): Record<string, string> {
    const inherited: Record<string, string> = {};
    for (const name of this.options.inheritEnv ?? ["PATH"]) {
      const value = process.env[name];
      if (value !== undefined) inherited[name] = value;
    }
    // HOME points into the job directory so tools do not write into the worker's own home. PWD keeps
    // the path through a mount's symlink, so `pwd` shows the path the job asked for.
    return { ...inherited, HOME: dir.root, BOSUN_JOB_DIR: dir.root, ...spec.env, PWD: dir.cwd };
  }
}

/** The tasks through the shell, or, with no tasks, `command` and `args` (there is no image command). */
function commandLine(spec: JobSpec): string[] {
  if (spec.tasks.length > 0) return [spec.shell ?? "/bin/sh", "-e", "-c", spec.tasks.join("\n")];
  return [...(spec.command ?? []), ...(spec.args ?? [])];
}

function outcomeOf(
  exit: Exit | undefined,
  spec: JobSpec,
  secrets: readonly string[],
): Pick<JobResult, "outcome" | "exitCode" | "error"> {
  if (!exit) return { outcome: "failed", error: { code: "INTERNAL", message: "the job did not run" } };
  if (exit.spawnError) {
    const file = commandLine(spec)[0] ?? "";
    const message = redactAll(`cannot start ${file}: ${exit.spawnError.message}`, secrets);
    return { outcome: "failed", error: { code: "JOB_FAILED", message } };
  }
  if (exit.code !== null) return { outcome: exit.code === 0 ? "succeeded" : "failed", exitCode: exit.code };
  // Killed from outside (the OOM killer, an operator): reported the way a shell would, 128 + signal.
  const signal = exit.signal ?? "SIGKILL";
  return {
    outcome: "failed",
    exitCode: 128 + (constants.signals[signal] ?? 9),
    error: { code: "JOB_FAILED", message: `the job was killed by ${signal}` },
  };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}
