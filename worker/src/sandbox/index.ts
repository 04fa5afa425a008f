export { bundleScript, type BundleOptions } from "./bundle.js";
export { clearBundleCache } from "./bundle-cache.js";
export type { Bundle } from "./bundle-types.js";
export { SCRIPT_NAMES, locateScript } from "./script-file.js";
export { runScript, scriptEventOf, scriptEventFromPush } from "./isolated/host.js";
export {
  DEFAULT_LIMITS,
  type RunScriptOptions,
  type ScriptEvent,
  type ScriptProject,
  type ScriptLimits,
  type ScriptOutcome,
  type ScriptError,
  type ScriptJobRunner,
  type ScriptLog,
} from "./isolated/types.js";
export { IsolatePool } from "./isolated/pool.js";
