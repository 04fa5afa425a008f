/** Turning what happened in the isolate into a ScriptOutcome. */
import type { ErrorCode } from "@bosun/core";
import type { DispatchOutcome, JobErrorCode } from "@bosun/sdk";
import type { Bundle } from "../bundle-types.js";
import { mapStack } from "./stack.js";
import { UNSUPPORTED_CODE, type FaultMessage } from "./protocol.js";
import type { ScriptOutcome } from "./types.js";

/** Does not compile while the SDK (which cannot import core) has a job code the registry lacks. */
type Registered<C extends ErrorCode> = C;
export type SdkJobErrorCode = Registered<JobErrorCode>;

/** Codes a script's error may carry through to the run; anything else is SCRIPT_FAILED. */
const PASSED_THROUGH: ReadonlySet<string> = new Set<ErrorCode>([
  "JOB_FAILED",
  "JOB_TIMED_OUT",
  "JOB_CANCELLED",
  "HOST_CALL_INVALID",
  UNSUPPORTED_CODE,
]);

/** What people reach for out of habit in Node, and where it is in a script. */
const HINTS: Record<string, string> = {
  process: "scripts run in a sandbox: secrets come from p.secrets, the event from e (e.payload, e.image)",
  require: "only static require() of brigadier, @bosun/sdk and npm packages next to the script is bundled",
  Buffer: "Buffer is Node's; use strings, or do the work in a Job",
  __dirname: "scripts have no file system; use a Job for files",
  __filename: "scripts have no file system; use a Job for files",
  fetch: "scripts have no network; make network calls from a Job",
};

/** Globals the sandbox takes out on purpose (runtime-lockdown.ts): using one is SCRIPT_UNSUPPORTED. */
const REMOVED: Record<string, string> = {
  WebAssembly:
    "WebAssembly is not available to scripts: its memory is not counted against the sandbox's memory limit; do this work in a Job",
  SharedArrayBuffer:
    "scripts run on one thread, without shared memory or Atomics.wait: use an ArrayBuffer, and setTimeout to wait",
};

export function fromDispatch(outcome: DispatchOutcome, bundle: Bundle): ScriptOutcome {
  if (outcome.status === "succeeded") return { status: "succeeded", handled: outcome.handled };
  const { error, trigger } = outcome;
  const code =
    error.code && PASSED_THROUGH.has(error.code) ? (error.code as ErrorCode) : codeOf(error.message);
  const prefix =
    trigger === "handlerError"
      ? ""
      : trigger === "unhandledRejection"
        ? "unhandled rejection: "
        : "uncaught exception: ";
  return scriptFailed(code, `${prefix}${hinted(error.message)}`, error.stack, bundle);
}

/** A throw while the script's top level ran (or a rejection nobody handled there). */
export function fromLoadError(error: unknown, bundle: Bundle): ScriptOutcome {
  const e = describeThrown(error);
  return scriptFailed(
    codeOf(e.message),
    `the script failed while loading: ${hinted(e.message)}`,
    e.stack,
    bundle,
  );
}

function scriptFailed(
  code: ErrorCode,
  message: string,
  stack: string | undefined,
  bundle: Bundle,
): ScriptOutcome {
  return {
    status: "failed",
    error: stack ? { code, message, stack: mapStack(stack, bundle) } : { code, message },
  };
}

const undefinedName = (message: string) => /^(\w+) is not defined$/.exec(message)?.[1];

/**
 * SCRIPT_UNSUPPORTED for a removed global, or for the lockdown's own refusals (their code does not
 * survive the copy of an error thrown at the top level out of the isolate; their wording does).
 */
function codeOf(message: string): ErrorCode {
  const name = undefinedName(message);
  if (name !== undefined && REMOVED[name]) return UNSUPPORTED_CODE;
  return / are not available to scripts: their memory is not counted/.test(message)
    ? UNSUPPORTED_CODE
    : "SCRIPT_FAILED";
}

function hinted(message: string): string {
  const name = undefinedName(message);
  const hint = name !== undefined ? (REMOVED[name] ?? HINTS[name]) : undefined;
  return hint ? `${message} (${hint})` : message;
}

/** What isolated-vm hands the host for a value thrown in the isolate. */
export function describeThrown(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return error.stack
      ? { name: error.name, message: error.message, stack: error.stack }
      : { name: error.name, message: error.message };
  }
  let shown: string;
  try {
    shown = typeof error === "string" ? JSON.stringify(error) : (JSON.stringify(error) ?? String(error));
  } catch {
    shown = String(error);
  }
  return { name: "NonError", message: `a non-Error value was thrown: ${shown}` };
}

export function faultMessage(error: unknown): FaultMessage {
  return { trigger: "unhandledRejection", ...describeThrown(error) };
}

export function isMemoryLimit(error: unknown): boolean {
  return error instanceof Error && /memory limit/i.test(error.message);
}
