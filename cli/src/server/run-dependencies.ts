/** What the worker needs from the server's config: a handler per project and an executor per project. */
import type { ServerConfig } from "@bosun/core";
import { createDryRunLauncher, DockerExecutor, ScriptHandler, type RunDependencies } from "@bosun/worker";
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
}

export function createRunDependencies(
  config: ServerConfig,
  options: DependencyOptions = {},
): Pick<RunDependencies, "handlerFor" | "executorFor" | "launcherFor" | "onRunFinished"> & {
  close(): Promise<void>;
} {
  const docker = new DockerExecutor({
    socketPath: config.docker.socketPath,
    insecureRegistries: config.docker.insecureRegistries,
  });
  const callback = createCallbackSender(options.logger, options.post);
  const scripts = new ScriptHandler({ memoryMb: config.sandbox.memoryMb, workDir: config.dataDir });
  return {
    handlerFor: () => scripts,
    executorFor: () => docker,
    launcherFor: options.dryRun ? (_project, run, store) => createDryRunLauncher(store, run) : undefined,
    close: () => scripts.close(),
    onRunFinished: (run, seconds, event, project) => {
      options.metrics?.runsFinished.inc({ status: run.status });
      options.metrics?.runSeconds.observe({ status: run.status }, seconds);
      void callback(run, event, project);
    },
  };
}
