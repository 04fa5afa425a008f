/**
 * The built-in declarative handler: on an image push, runs the tasks of every action
 * of the project's Dispatchfile whose `on image push` condition accepts the pushed tag.
 */
import { rm, rmdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatProblems, type ErrorCode } from "@bosun/core";
import { planImagePush } from "@bosun/dispatchfile";
import type { EventHandler, RunContext, RunOutcome } from "../types.js";
import { runInDependencyOrder } from "./scheduler.js";
import { loadProjectDispatchfile, sourceDir } from "./source.js";
import { runTask } from "./task-runner.js";
import { contextVariables } from "./variables.js";

export interface DispatchfileHandlerOptions {
  /** The server's data dir: task workspaces live under `runs/<runId>/`. */
  workDir: string;
  /** Keep the run's workspaces and clones after it ends (for debugging); removed by default. */
  keepWorkspaces?: boolean;
}

export class DispatchfileHandler implements EventHandler {
  readonly kind = "dispatchfile" as const;

  constructor(private readonly options: DispatchfileHandlerOptions) {}

  async handle(context: RunContext): Promise<RunOutcome> {
    const runDir = join(resolve(this.options.workDir), "runs", context.run.id);
    try {
      return await this.run(context, runDir);
    } finally {
      if (!this.options.keepWorkspaces) await removeWorkspaces(runDir);
    }
  }

  private async run(context: RunContext, runDir: string): Promise<RunOutcome> {
    const { project, event, run, signal } = context;
    const log = (line: string) => context.log(`${line}\n`);
    if (!project.dispatchfile) {
      return failed("DISPATCHFILE_NOT_FOUND", `project "${project.name}" has no Dispatchfile`);
    }
    if (event.type !== "image_push" || !event.image) {
      log(`Dispatchfile: ${event.type} events trigger no action`);
      return { status: "succeeded" };
    }
    const loaded = await loadProjectDispatchfile(project.dispatchfile, sourceDir(runDir), signal, {
      logins: context.credentials?.git ?? [],
      project: project.name,
    });
    if (signal.aborted) return { status: "cancelled" };
    const { result } = loaded;
    if (result.warnings.length > 0) log(`Dispatchfile warnings:\n${formatProblems(result.warnings)}`);
    if (result.errors) {
      const message = formatProblems(result.errors);
      log(`Dispatchfile ${loaded.name} cannot be run:\n${message}`);
      return failed(result.errors[0]?.code ?? "DISPATCHFILE_INVALID", message);
    }
    const dispatchfile = result.value;
    const { repository, tag, tags } = event.image;
    const named = tags && tags.length > 1 ? `tags ${tags.map((t) => `"${t}"`).join(", ")}` : `tag "${tag}"`;
    const pushed = tag === undefined ? `untagged push ${event.image.ref}` : named;
    const planned = planImagePush(dispatchfile, { repository, tag, ...(tags ? { tags } : {}) });
    if (planned.errors) {
      const message = formatProblems(planned.errors);
      log(`Dispatchfile ${loaded.name} cannot be run:\n${message}`);
      return failed(planned.errors[0]?.code ?? "DISPATCHFILE_REFERENCE", message);
    }
    const { actions: matched, plan } = planned.value;
    if (plan.tasks.length === 0) {
      log(
        `Dispatchfile: no action runs on image push of ${pushed} (repository ${repository}); nothing to do`,
      );
      return { status: "succeeded" };
    }
    const actions = matched
      .map(
        (i) => `actions[${i}]${dispatchfile.actions[i]?.name ? ` (${dispatchfile.actions[i]?.name})` : ""}`,
      )
      .join(", ");
    log(
      `Dispatchfile: ${pushed} of ${repository} matches action(s) ${actions}; tasks: ${plan.tasks.map((t) => t.name).join(", ")}`,
    );

    const prerequisites = new Map(plan.tasks.map((t) => [t.name, t.prerequisites] as const));
    const variables = contextVariables({
      runId: run.id,
      image: event.image,
      ...(loaded.git ? { git: loaded.git } : {}),
    });
    const stepOutputs = new Map<string, ReadonlyMap<string, string>>();
    const jobNames = new Set<string>();
    const outcome = await runInDependencyOrder(
      plan,
      {
        run: async (task) => {
          log(`task ${task}: started`);
          const started = Date.now();
          const before = new Map(
            (prerequisites.get(task) ?? []).flatMap((t) => {
              const outputs = stepOutputs.get(t);
              return outputs ? [[t, outputs] as const] : [];
            }),
          );
          const done = await runTask({
            context,
            dispatchfile,
            name: task,
            runDir,
            contextVariables: variables,
            before,
            jobNames,
          });
          stepOutputs.set(task, done.stepOutputs);
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          log(`task ${task}: ${done.status} after ${seconds}s${done.error ? `: ${done.error.message}` : ""}`);
          return done;
        },
        skipped: (task, reason) => log(`task ${task}: skipped, ${reason}`),
      },
      signal,
    );
    if (outcome.status === "succeeded") return { status: "succeeded" };
    if (outcome.status === "cancelled") return { status: "cancelled" };
    return { status: "failed", ...(outcome.error ? { error: outcome.error } : {}) };
  }
}

/** Only what this handler made: a script that ran before in the same run keeps its storage. */
async function removeWorkspaces(runDir: string): Promise<void> {
  for (const part of ["tasks", "volumes", sourceDir(runDir)]) {
    await rm(resolve(runDir, part), { recursive: true, force: true }).catch(() => undefined);
  }
  await rmdir(runDir).catch(() => undefined);
}

function failed(code: ErrorCode, message: string): RunOutcome {
  return { status: "failed", error: { code, message } };
}
