/** One claimed event → one recorded run, whatever the handler does. */
import {
  BosunError,
  createRedactor,
  NO_CREDENTIALS,
  type CredentialsReader,
  type Executor,
  type ProjectConfig,
  type ProjectCredentials,
  type Run,
  type RunError,
} from "@bosun/core";
import { cancelledError, type Claim, type Store, type StoredEvent } from "@bosun/store";
import type { EventHandler, JobLauncher, RunOutcome } from "../handlers/types.js";
import { createJobLauncher } from "../jobs/launcher.js";
import { LogWriter } from "../jobs/log-writer.js";
import type { RecordLimits } from "../jobs/record-limits.js";
import { RunRecords } from "../jobs/run-records.js";
import { reusableJobs } from "../jobs/reuse.js";
import { beginRun, CancelRequested, settleEarlierRuns, type RoundStart } from "./rounds.js";

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
  /** The project's registry and git logins (`bosun login`), read once per run; none when absent. */
  credentialsFor?: CredentialsReader;
  /** Caps on what a run may make Bosun store; the defaults otherwise (record-limits.ts). */
  recordLimits?: Partial<RecordLimits>;
}

/** What the consumer learns of the run it holds as it goes. */
export interface ClaimHooks {
  /** The run is recorded and running: a cancel of it is now the consumer's to act on. */
  onRunStarted?(run: Run): void;
  /** The event is not to run (a verified webhook the registry contradicts): its run fails with this. */
  notRun?: RunError;
}

export async function processClaim(
  claim: Claim,
  deps: RunDependencies,
  signal: AbortSignal,
  hooks: ClaimHooks = {},
): Promise<Run> {
  const { store } = deps;
  const { event } = claim;
  let round: RoundStart = {};
  if (claim.attempt > 1) {
    const settled = await settleEarlierRuns(store, event.id);
    if ("outcome" in settled) return settled.outcome;
    round = settled;
  }

  const project = deps.findProject(event.project);
  const handler = project && deps.handlerFor(project);
  const begun = await beginRun(store, round, {
    eventId: event.id,
    project: event.project,
    attempt: claim.attempt,
    handler: handler?.kind ?? "script",
  });
  if ("cancelled" in begun) return begun.cancelled;
  const { run } = begun;
  hooks.onRunStarted?.(run);
  if (hooks.notRun) {
    await store.finishRun(run.id, "failed", hooks.notRun);
    return { ...run, status: "failed", error: hooks.notRun, finishedAt: new Date().toISOString() };
  }
  if (!project || !handler) {
    const message = `project "${event.project}" is no longer configured; the event was not run`;
    await store.finishRun(run.id, "failed", { code: "NOT_FOUND", message });
    return run;
  }
  const reusable = run.retryOf === undefined ? undefined : await reusableJobs(store, run.retryOf);
  const loaded = await loadCredentials(deps.credentialsFor, project.name);
  const credentials = "credentials" in loaded ? loaded.credentials : NO_CREDENTIALS;
  const redact = createRedactor([...Object.values(project.secrets), ...credentialPasswords(credentials)]);
  const logs = new LogWriter(store, redact, deps.onError, deps.recordLimits);
  const log = (text: string) => logs.write({ runId: run.id, stream: "script", text });
  // Everything the handler and its jobs record goes through here: redacted, and within the caps.
  const records = new RunRecords(store, { redact, limits: deps.recordLimits, notice: log });
  if ("error" in loaded) log(`${loaded.error.message}\n`);
  let outcome: RunOutcome;
  try {
    outcome =
      "error" in loaded
        ? { status: "failed", error: loaded.error }
        : await handler.handle({
            event,
            project,
            run,
            signal,
            credentials,
            launchJob:
              deps.launcherFor?.(project, run, records.store) ??
              createJobLauncher({
                store: records.store,
                executor: deps.executorFor(project),
                project,
                run,
                logs,
                credentials,
                reusable,
              }),
            log,
          });
  } catch (err) {
    // Handlers return outcomes; reaching here is a bug in Bosun, still recorded against the run.
    deps.onError?.(err);
    outcome = {
      status: "failed",
      error: { code: "INTERNAL", message: `internal error: ${(err as Error).message}` },
    };
  }
  // A cancel asked for by a user ends the run cancelled, however its handler ended on the abort. Any
  // other abort is the worker's (stopping, or its lease lost): however the handler ended, the run is
  // cancelled with no one asking, which is never the event's outcome, so the event is run again.
  if (signal.aborted && signal.reason instanceof CancelRequested)
    outcome = { status: "cancelled", error: cancelledError(signal.reason.by) };
  else if (signal.aborted)
    outcome = {
      status: "cancelled",
      error: {
        code: "RUN_INTERRUPTED",
        message: "the worker stopped while this ran; the event is run again",
      },
    };
  const error = records.error(outcome.error);
  await logs.flush();
  await records.store.finishRun(run.id, outcome.status, error);
  const finished = {
    ...run,
    status: outcome.status,
    error,
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

/**
 * The project's logins, or why they cannot be had: a run that needs them must not go on to pull or
 * clone anonymously, so an unreadable store fails the run (with the reader's message, never a secret).
 */
async function loadCredentials(
  reader: CredentialsReader | undefined,
  project: string,
): Promise<{ credentials: ProjectCredentials } | { error: RunError }> {
  if (!reader) return { credentials: NO_CREDENTIALS };
  try {
    return { credentials: await reader(project) };
  } catch (err) {
    const code = err instanceof BosunError ? err.code : "CREDENTIALS_UNREADABLE";
    const detail = err instanceof Error ? err.message : String(err);
    const message =
      err instanceof BosunError ? detail : `the logins of project "${project}" cannot be read: ${detail}`;
    return { error: { code, message } };
  }
}

/** Every password of the project's logins, so none reaches a stored log. */
function credentialPasswords(credentials: ProjectCredentials): string[] {
  return [...credentials.docker, ...credentials.git].map((login) => login.password);
}
