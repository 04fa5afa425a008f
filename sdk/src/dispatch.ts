import { events as defaultRegistry, type EventRegistry } from "./events.js";
import { makeV2Event } from "./v2-event.js";
import { setCurrentProject } from "./current.js";
import { currentHost } from "./host.js";
import { serializeError, type SerializedError } from "./serialize.js";
import type {
  BrigadeEvent,
  CauseTrigger,
  EventInit,
  KubernetesConfig,
  Project,
  ProjectInit,
} from "./types.js";

/** A failure outside the handlers, reported by the runtime (a rejection nobody handled, a timer that threw). */
export interface Fault {
  reason: unknown;
  trigger: "unhandledRejection" | "uncaughtException";
}

export interface DispatchHooks {
  /** Resolves when no job or timer is pending any more. Default: at once. */
  idle?: () => Promise<void>;
  /** Resolves when the runtime sees a fault; handling stops and `error` handlers run. */
  fault?: Promise<Fault>;
  registry?: EventRegistry;
}

export type DispatchOutcome =
  | { status: "succeeded"; handled: boolean }
  | { status: "failed"; trigger: Exclude<CauseTrigger, "success">; error: SerializedError };

interface Failure {
  reason: unknown;
  trigger: Exclude<CauseTrigger, "success">;
}

/**
 * Runs the handlers for the event: v1's for `init.type`, then v2's for `init.v2` (source, type),
 * started in that order and awaited together with whatever they `emit`; waits until nothing is
 * pending, then fires `after`; if anything failed, fires `error` with `e.cause` instead.
 */
export async function dispatchEvent(
  init: EventInit,
  projectInit: ProjectInit,
  hooks: DispatchHooks = {},
): Promise<DispatchOutcome> {
  const registry = hooks.registry ?? defaultRegistry;
  const idle = hooks.idle ?? (() => Promise.resolve());
  const fault = hooks.fault ?? new Promise<Fault>(() => {});
  const event = makeEvent(init);
  const project = makeProject(projectInit);
  setCurrentProject(project);
  const v2Handler = init.v2 ? registry.v2HandlerFor(init.v2.source, init.v2.type) : undefined;
  const handlers: (() => unknown)[] = registry.handlersFor(event.type).map((h) => () => h(event, project));
  if (v2Handler && init.v2) {
    const v2Event = makeV2Event(init.v2, event, project);
    handlers.push(() => v2Handler(v2Event));
  }
  if (handlers.length === 0 && event.type === "ping") handlers.push(() => answerPing(event, project));
  if (handlers.length === 0) return { status: "succeeded", handled: false };

  const v1Phase = (type: string, e: BrigadeEvent) =>
    runPhase(
      registry,
      registry.handlersFor(type).map((h) => () => h(e, project)),
      idle,
      fault,
    );
  let failure = await runPhase(registry, handlers, idle, fault);
  if (!failure) {
    failure = await v1Phase("after", { ...followUp(event, "after"), cause: { event, trigger: "success" } });
    if (!failure) return { status: "succeeded", handled: true };
  }
  const cause = { event, reason: failure.reason, trigger: failure.trigger };
  const errorEvent = { ...followUp(event, "error"), cause };
  const afterError = await runPhase(
    registry,
    registry.handlersFor("error").map((h) => () => h(errorEvent, project)),
    idle,
    new Promise<Fault>(() => {}),
  );
  if (afterError)
    currentHost().log("error", `an error handler failed too: ${serializeError(afterError.reason).message}`);
  return { status: "failed", trigger: failure.trigger, error: serializeError(failure.reason) };
}

/** Brigade v1 answered `ping` itself when the script did not. */
function answerPing(event: BrigadeEvent, project: Project): void {
  currentHost().log("info", `ping: project ${project.name} answered (build ${event.buildID})`);
}

async function runPhase(
  registry: EventRegistry,
  handlers: readonly (() => unknown)[],
  idle: () => Promise<void>,
  fault: Promise<Fault>,
): Promise<Failure | undefined> {
  if (handlers.length === 0) return undefined;
  const work = (async (): Promise<Failure | undefined> => {
    const running: Promise<unknown>[] = [];
    for (const handler of handlers) {
      try {
        running.push(Promise.resolve(handler()));
      } catch (reason) {
        // Like an EventEmitter: a handler that throws stops the ones after it.
        running.push(Promise.reject(reason));
        break;
      }
    }
    try {
      await Promise.all(running);
    } catch (reason) {
      return { reason, trigger: "handlerError" };
    }
    // Handlers chained with emit/fire belong to this phase: wait for them, and for what they start.
    do {
      const failed = await settleEmitted(registry);
      if (failed) return failed;
      await idle();
    } while (registry.hasEmitted());
    return undefined;
  })();
  return Promise.race([work, fault]);
}

/**
 * Awaits the emitted handlers, and those they emit in turn. The first rejection is the phase's
 * failure at once, as for the phase's own handlers, whatever the others are still waiting for.
 */
async function settleEmitted(registry: EventRegistry): Promise<Failure | undefined> {
  for (let batch = registry.takeEmitted(); batch.length > 0; batch = registry.takeEmitted()) {
    try {
      await Promise.all(
        batch.map(async (outcome) => {
          const settled = await outcome;
          if (settled.failed) throw settled.reason;
        }),
      );
    } catch (reason) {
      return { reason, trigger: "handlerError" };
    }
  }
  return undefined;
}

function makeEvent(init: EventInit): BrigadeEvent {
  const e: BrigadeEvent = {
    buildID: init.buildID,
    workerID: init.workerID ?? init.buildID,
    type: init.type,
    provider: init.provider,
    revision: { ...init.revision },
    payload: init.payload ?? "",
    logLevel: LOG_LEVEL_ALL,
  };
  if (init.image) e.image = { ...init.image };
  return e;
}

function followUp(event: BrigadeEvent, type: "after" | "error"): BrigadeEvent {
  return {
    buildID: event.buildID,
    workerID: event.workerID,
    type,
    provider: "bosun",
    revision: event.revision,
    payload: event.payload,
    logLevel: event.logLevel,
  };
}

/** Brigade's LogLevel.ALL. */
const LOG_LEVEL_ALL = 0;

/** Brigade's defaults for a project's Kubernetes settings: scripts run in no namespace of their own. */
const KUBERNETES_DEFAULTS: KubernetesConfig = {
  namespace: "",
  vcsSidecar: "",
  vcsSidecarResourcesLimitsCPU: "",
  vcsSidecarResourcesLimitsMemory: "",
  vcsSidecarResourcesRequestsCPU: "",
  vcsSidecarResourcesRequestsMemory: "",
  buildStorageSize: "50Mi",
  cacheStorageClass: "",
  buildStorageClass: "",
};

function makeProject(init: ProjectInit): Project {
  return {
    id: init.id ?? init.name,
    name: init.name,
    secrets: { ...init.secrets },
    repo: {
      name: init.repo?.name ?? init.name,
      cloneURL: init.repo?.cloneURL ?? "",
      initGitSubmodules: init.repo?.initGitSubmodules === true,
    },
    kubernetes: { ...KUBERNETES_DEFAULTS, ...init.kubernetes },
    allowPrivilegedJobs: init.allowPrivilegedJobs === true,
    allowHostMounts: init.allowHostMounts === true,
  };
}
