/** One claimed event → one recorded run, whatever the handler does. */
import {
  createRedactor,
  type Claim,
  type Executor,
  type ProjectConfig,
  type Run,
  type Store,
  type StoredEvent,
} from "@bosun/core";
import type { EventHandler, JobLauncher, RunOutcome } from "../handlers/types.js";
import { createJobLauncher } from "../jobs/launcher.js";
import { LogWriter } from "../jobs/log-writer.js";

export interface RunDependencies {
  store: Store;
  findProject(name: string): ProjectConfig | undefined;
  /** The script or Dispatchfile handler for a project. */
  handlerFor(project: ProjectConfig): EventHandler;
  executorFor(project: ProjectConfig): Executor;
  /** Replaces the launcher that runs jobs on the executor (dry runs record them instead). */
  launcherFor?: ((project: ProjectConfig, run: Run, store: Store) => JobLauncher) | undefined;
  /** Told when a run is recorded as finished, with how long it took. */
  onRunFinished?(run: Run, seconds: number, event: StoredEvent, project: ProjectConfig): void;
  onError?(error: unknown): void;
}

export async function processClaim(claim: Claim, deps: RunDependencies, signal: AbortSignal): Promise<Run> {
  const { store } = deps;
  const { event } = claim;
  if (claim.attempt > 1) await abandonEarlierRuns(store, event.id);

  const project = deps.findProject(event.project);
  if (!project) {
    const run = await store.createRun({
      eventId: event.id,
      project: event.project,
      attempt: claim.attempt,
      handler: "script",
    });
    const message = `project "${event.project}" is no longer configured; the event was not run`;
    await store.finishRun(run.id, "failed", { code: "NOT_FOUND", message });
    return run;
  }
  const handler = deps.handlerFor(project);
  const run = await store.createRun({
    eventId: event.id,
    project: project.name,
    attempt: claim.attempt,
    handler: handler.kind,
  });
  const logs = new LogWriter(store, createRedactor(Object.values(project.secrets)), deps.onError);
  let outcome: RunOutcome;
  try {
    outcome = await handler.handle({
      event,
      project,
      run,
      signal,
      launchJob:
        deps.launcherFor?.(project, run, store) ??
        createJobLauncher({ store, executor: deps.executorFor(project), project, run, logs }),
      log: (text) => logs.write({ runId: run.id, stream: "script", text }),
    });
  } catch (err) {
    // Handlers return outcomes; reaching here is a bug in Bosun, still recorded against the run.
    deps.onError?.(err);
    outcome = {
      status: "failed",
      error: { code: "INTERNAL", message: `internal error: ${(err as Error).message}` },
    };
  }
  if (signal.aborted && outcome.status === "succeeded") outcome = { status: "cancelled" };
  await logs.flush();
  await store.finishRun(run.id, outcome.status, outcome.error);
  const finished = {
    ...run,
    status: outcome.status,
    error: outcome.error,
    finishedAt: new Date().toISOString(),
  };
  deps.onRunFinished?.(
    finished,
    (Date.parse(finished.finishedAt) - Date.parse(run.createdAt)) / 1000,
    event,
    project,
  );
  return finished;
}

async function abandonEarlierRuns(store: Store, eventId: string): Promise<void> {
  for (const earlier of await store.listRuns({ eventId })) {
    if (earlier.status === "running") {
      await store.finishRun(earlier.id, "abandoned", {
        code: "INTERNAL",
        message: "the worker running this died or lost its lease; the event was run again",
      });
    }
  }
}
