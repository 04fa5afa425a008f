/** The host side of the sandbox: run a bundled script for one event in a fresh isolate. */
import { v2SourceOf, type BosunEvent, type CustomEvent, type ImagePushEvent } from "@bosun/core";
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

/** The build a run is: its id, and the commit when one is known. */
export interface ScriptBuild {
  buildID: string;
  workerID?: string;
  commit?: string;
}

/**
 * The event handlers see: Brigade v1's fields (`e.image` added for a push) and, for v2 handlers, the
 * same event as v2's gateways named it (see scriptEventFromPush and scriptEventFromCustom).
 */
export function scriptEventOf(event: BosunEvent, build: ScriptBuild): ScriptEvent {
  return event.image ? scriptEventFromPush(event, build) : scriptEventFromCustom(event, build);
}

/**
 * A registry push: v1's `image_push` with `e.image`; for v2, source `brigade.sh/<registry>` and type
 * `push` (`delete` for a deletion, as ACR's action names it), qualified by repository (and registry,
 * but for Docker Hub, whose v2 gateway qualified by `repo` alone), the registry and tag as labels.
 */
export function scriptEventFromPush(event: ImagePushEvent, build: ScriptBuild): ScriptEvent {
  const { image } = event;
  const qualifiers: Record<string, string> =
    event.source === "dockerhub"
      ? { repo: image.repository }
      : { registry: image.registry, repo: image.repository };
  const labels: Record<string, string> =
    image.tag === undefined ? { registry: image.registry } : { registry: image.registry, tag: image.tag };
  return {
    ...v1Fields(event, build),
    image: { ...image },
    v2: {
      id: event.id,
      source: v2SourceOf(event.source),
      type: event.type === "image_delete" ? "delete" : "push",
      qualifiers,
      labels,
      shortTitle: `${event.type === "image_delete" ? "delete of" : "push to"} ${image.ref}`,
    },
  };
}

/** An event created through the API: v1 sees its type, v2 its source and type; the payload is as given. */
export function scriptEventFromCustom(event: CustomEvent, build: ScriptBuild): ScriptEvent {
  return {
    ...v1Fields(event, build),
    v2: { id: event.id, source: event.source, type: event.type, ...event.details },
  };
}

function v1Fields(event: BosunEvent, build: ScriptBuild): ScriptEvent {
  return {
    type: event.type,
    buildID: build.buildID,
    workerID: build.workerID ?? build.buildID,
    provider: event.source,
    payload: event.payload,
    revision: build.commit ? { commit: build.commit } : {},
  };
}
