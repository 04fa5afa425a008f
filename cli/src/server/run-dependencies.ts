/** What the worker needs from the server's config: a handler per project and an executor per project. */
import type { ServerConfig } from "@bosun/core";
import type { Store } from "@bosun/store";
import {
  createDryRunLauncher,
  DispatchfileHandler,
  ScriptHandler,
  ScriptThenDispatchfileHandler,
  type RunDependencies,
} from "@bosun/worker";
import { type DockerExecutor } from "@bosun/executors";
import { Executors, type DockerLogins } from "./executors.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import { createCallbackSender, type Poster } from "./callbacks.js";

export interface DependencyOptions {
  logger?: Logger;
  metrics?: Metrics;
  /** Record jobs instead of running them (`bosun script run --dry-run`). */
  dryRun?: boolean;
  /** How callbacks are sent (fetch); tests record them, as Docker Hub cannot be reached from a test. */
  post?: Poster;
  /** With a store, job containers of runs that are over are reaped at start and every minute. */
  store?: Store;
  /** Logins the docker executor pulls with when a job's project has none for the registry. */
  dockerLogins?: DockerLogins;
}

const REAP_EVERY_MS = 60_000;

/** Removes containers a worker that died left behind; logs and carries on when the engine is away. */
function startReaper(docker: DockerExecutor, store: Store, logger?: Logger): NodeJS.Timeout {
  const reap = () =>
    docker
      .reap(async (runId) => (await store.getRun(runId))?.status === "running")
      .then(
        (n) => n > 0 && logger?.info({ removed: n }, "reaped job containers of runs that are over"),
        (err: Error) => logger?.debug({ error: err.message }, "could not reap job containers"),
      );
  void reap();
  return setInterval(reap, REAP_EVERY_MS).unref();
}

export function createRunDependencies(
  config: ServerConfig,
  options: DependencyOptions = {},
): Pick<RunDependencies, "handlerFor" | "executorFor" | "launcherFor" | "onRunFinished"> & {
  close(): Promise<void>;
} {
  const executors = new Executors(config, options.dockerLogins);
  const reaper = options.store ? startReaper(executors.docker, options.store, options.logger) : undefined;
  const callback = createCallbackSender(options.logger, options.post);
  const scripts = new ScriptHandler({ memoryMb: config.sandbox.memoryMb, workDir: config.dataDir });
  const dispatchfiles = new DispatchfileHandler({ workDir: config.dataDir });
  // Both: the script first, then the Dispatchfile, in one run (docs/dispatchfile.md, "Running").
  const both = new ScriptThenDispatchfileHandler(scripts, dispatchfiles);
  return {
    handlerFor: (project) => (project.script ? (project.dispatchfile ? both : scripts) : dispatchfiles),
    executorFor: (project) => executors.for(project.executor),
    launcherFor: options.dryRun ? (_project, run, store) => createDryRunLauncher(store, run) : undefined,
    close: async () => {
      clearInterval(reaper);
      await scripts.close();
      await executors.close();
    },
    onRunFinished: (run, seconds, event, project) => {
      options.metrics?.runsFinished.inc({ status: run.status });
      options.metrics?.runSeconds.observe({ status: run.status }, seconds);
      void callback(run, event, project);
    },
  };
}
