/** The host side of the sandbox: run a bundled script for one event in a fresh isolate. */
import type { ImagePushEvent } from "@bosun/core";
import { IsolateRun } from "./isolate-run.js";
import { DEFAULT_LIMITS, type RunScriptOptions, type ScriptEvent, type ScriptOutcome } from "./types.js";

/**
 * Runs the script's handlers for `event` and resolves with the outcome. Never rejects: a script's
 * errors, time-outs, memory exhaustion and cancellation are all outcomes. The isolate is always disposed.
 */
export async function runScript(options: RunScriptOptions): Promise<ScriptOutcome> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let run: IsolateRun;
  try {
    run = new IsolateRun(options, limits);
  } catch (error) {
    return {
      status: "failed",
      error: { code: "INTERNAL", message: `the sandbox could not start: ${(error as Error).message}` },
    };
  }
  return run.run();
}

/** The event handlers see for a registry push: Brigade's fields, plus `e.image`. */
export function scriptEventFromPush(
  event: ImagePushEvent,
  build: { buildID: string; workerID?: string; commit?: string },
): ScriptEvent {
  const init: ScriptEvent = {
    type: event.type,
    buildID: build.buildID,
    workerID: build.workerID ?? build.buildID,
    provider: event.source,
    payload: event.payload,
    revision: build.commit ? { commit: build.commit } : {},
    image: { ...event.image },
  };
  return init;
}
