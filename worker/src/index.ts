// What other packages (and bench/) use; the package's own tests import the module files directly.
export { Consumer, type ConsumerOptions } from "./consumer/consumer.js";
export { processClaim, type RunDependencies } from "./consumer/process-claim.js";
export type { EventHandler, RunContext, RunOutcome, JobLauncher } from "./handlers/types.js";
export { createDryRunLauncher } from "./jobs/launcher.js";
export { bundleScript, runScript, IsolatePool } from "./sandbox/index.js";
export type {
  Bundle,
  BundleOptions,
  RunScriptOptions,
  ScriptEvent,
  ScriptProject,
  ScriptLimits,
  ScriptOutcome,
  ScriptError,
  ScriptJobRunner,
  ScriptLog,
} from "./sandbox/index.js";
export { ScriptHandler, type ScriptHandlerOptions } from "./handlers/script.js";
export { DispatchfileHandler, type DispatchfileHandlerOptions } from "./handlers/dispatchfile/index.js";
export { ScriptThenDispatchfileHandler } from "./handlers/script-then-dispatchfile.js";
