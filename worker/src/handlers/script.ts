/** The script handler: bundle the project's script (cached), run it for the event in a fresh isolate. */
import { mkdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { formatProblems, type ErrorCode, type JobMount, type JobSpec } from "@bosun/core";
import { bundleScript } from "../sandbox/bundle.js";
import { runScript, scriptEventOf } from "../sandbox/isolated/host.js";
import { IsolatePool } from "../sandbox/isolated/pool.js";
import type { ScriptOutcome } from "../sandbox/isolated/types.js";
import type { EventHandler, RunContext, RunOutcome } from "./types.js";

export interface ScriptHandlerOptions {
  /** Isolate heap limit. */
  memoryMb: number;
  /** Where run workspaces (Brigade's `storage`) and project caches live, and bundles are kept. */
  workDir: string;
}

/**
 * The folders of a run and of a project's caches are the server's alone: what a job leaves in its
 * workspace or cache (a setuid binary, a secret) is out of reach of the machine's other users. The
 * mounted folder itself keeps the usual mode, so a job's non-root user reads it as before.
 */
const PRIVATE_DIR = 0o700;

/** Isolates kept prepared: enough for a burst to start without building one on the event's path. */
const WARM_ISOLATES = 2;

export class ScriptHandler implements EventHandler {
  readonly kind = "script" as const;
  private readonly pool: IsolatePool;

  constructor(private readonly options: ScriptHandlerOptions) {
    this.pool = new IsolatePool(WARM_ISOLATES, options.memoryMb);
  }

  /** Disposes the isolates kept prepared. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async handle(context: RunContext): Promise<RunOutcome> {
    const { project, event, run } = context;
    const source = project.script;
    if (!source || !("path" in source)) {
      return failed(
        "SCRIPT_NOT_FOUND",
        `project "${project.name}" has no script file to run (scripts from git are not supported yet)`,
      );
    }
    const bundled = await bundleScript(source.path, { cacheDir: join(this.options.workDir, "bundles") });
    if (bundled.errors) {
      const message = formatProblems(bundled.errors);
      context.log(`${message}\n`);
      return failed(bundled.errors[0]?.code ?? "SCRIPT_BUNDLE_FAILED", message);
    }
    // A run that started no job made no storage folder: nothing to remove (saves syscalls per run).
    let launched = false;
    try {
      const outcome = await runScript({
        bundle: bundled.value,
        event: scriptEventOf(event, { buildID: run.id }),
        project: {
          id: project.name,
          name: project.name,
          secrets: project.secrets,
          allowPrivilegedJobs: project.allowPrivileged,
        },
        limits: { memoryMb: this.options.memoryMb, timeoutMs: project.timeouts.scriptMs },
        pool: this.pool,
        runJob: async (spec, signal) => {
          launched = true;
          return context.launchJob(await this.withMounts(spec, context), signal);
        },
        log: (text) => context.log(text),
        signal: context.signal,
      });
      return toRunOutcome(outcome);
    } finally {
      if (launched) await this.removeStorage(run.id);
    }
  }

  /** The run's shared storage lives as long as the run, as Brigade's per-build volume did. */
  private async removeStorage(runId: string): Promise<void> {
    const runDir = join(this.options.workDir, "runs", runId);
    await rm(join(runDir, "storage"), { recursive: true, force: true });
    // Only when empty: a Dispatchfile that runs after the script keeps its task workspaces here.
    await rmdir(runDir).catch(() => undefined);
  }

  /**
   * Brigade's `storage` is a workspace shared by the run's jobs; `cache` is kept per project and job.
   * Both become host folders in `mounts` for the local executors (kubernetes mounts its claims instead).
   */
  private async withMounts(spec: JobSpec, { project, run }: RunContext): Promise<JobSpec> {
    const mounts: JobMount[] = [...(spec.mounts ?? [])];
    if (spec.storage?.enabled) {
      const runDir = join(this.options.workDir, "runs", run.id);
      await mkdir(runDir, { recursive: true, mode: PRIVATE_DIR });
      const dir = join(runDir, "storage");
      await mkdir(dir, { recursive: true });
      mounts.push({ source: dir, target: spec.storage.path });
    }
    if (spec.cache?.enabled) {
      const projectCache = join(this.options.workDir, "cache", project.name);
      await mkdir(projectCache, { recursive: true, mode: PRIVATE_DIR });
      const dir = join(projectCache, spec.name);
      await mkdir(dir, { recursive: true });
      mounts.push({ source: dir, target: spec.cache.path });
    }
    return { ...spec, mounts };
  }
}

function failed(code: ErrorCode, message: string): RunOutcome {
  return { status: "failed", error: { code, message } };
}

function toRunOutcome(outcome: ScriptOutcome): RunOutcome {
  switch (outcome.status) {
    case "succeeded":
    case "cancelled":
      return { status: outcome.status };
    case "failed":
      return { status: "failed", error: outcome.error };
    case "timed_out":
      return { status: "timed_out", error: { code: "SCRIPT_TIMED_OUT", message: outcome.message } };
    case "out_of_memory":
      return { status: "out_of_memory", error: { code: "SCRIPT_OUT_OF_MEMORY", message: outcome.message } };
  }
}
