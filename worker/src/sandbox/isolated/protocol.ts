/**
 * The contract between the host side (host.ts) and the in-isolate runtime (runtime.ts). Imported by
 * both, so it holds only types and constants: it is bundled into the isolate.
 */
import type { ErrorCode } from "@bosun/core";
import type { DispatchHooks, DispatchOutcome, EventInit, ProjectInit } from "@bosun/sdk";

/** Where the host puts its functions for the runtime to take (and remove) before any script runs. */
export const HOST_GLOBAL = "__bosunHost";
/** File names the isolate reports in stack traces; the host maps the bundle's back to the script. */
export const RUNTIME_FILENAME = "bosun-runtime.js";
export const BUNDLE_FILENAME = "bosun-bundle.js";
/** The code of a script's error when it used something the sandbox takes out (runtime-lockdown.ts). */
export const UNSUPPORTED_CODE = "SCRIPT_UNSUPPORTED" satisfies ErrorCode;

/**
 * The host functions. Each returns `undefined` when it accepted the call, or a refusal as JSON
 * (`Refusal`). They return at once: results come back later through RuntimeApi calls.
 */
export interface RawHost {
  runJob(callId: number, requestJson: string): string | undefined;
  setTimer(timerId: number, delayMs: number): string | undefined;
  clearTimer(timerId: number): string | undefined;
  log(level: string, text: string): string | undefined;
  settle(outcomeJson: string): string | undefined;
}

export interface Refusal {
  code: "HOST_CALL_INVALID";
  message: string;
}

export type DispatchFn = (
  init: EventInit,
  project: ProjectInit,
  hooks: DispatchHooks,
) => Promise<DispatchOutcome>;

/** What the runtime script evaluates to: the functions the host calls into the isolate. */
export interface RuntimeApi {
  dispatch(dispatchEvent: DispatchFn, eventJson: string, projectJson: string): void;
  deliverJob(callId: number, replyJson: string): void;
  fireTimer(timerId: number): void;
  /** A failure only the host can see: a rejection nobody handled by the end of a task. */
  fault(faultJson: string): void;
}

export interface FaultMessage {
  trigger: "unhandledRejection";
  name: string;
  message: string;
  stack?: string;
}
