export { DockerExecutor } from "./executors/docker/index.js";
export type { DockerExecutorOptions } from "./executors/docker/index.js";
export { Consumer, type ConsumerOptions } from "./consumer/consumer.js";
export { processClaim, type RunDependencies } from "./consumer/process-claim.js";
export type { EventHandler, RunContext, RunOutcome, JobLauncher } from "./handlers/types.js";
export { createJobLauncher, createDryRunLauncher, type LauncherOptions } from "./jobs/launcher.js";
export { LogWriter } from "./jobs/log-writer.js";
