import { events as defaultRegistry, type EventRegistry } from "./events.js";
import { setCurrentProject } from "./current.js";
import { currentHost } from "./host.js";
import { serializeError, type SerializedError } from "./serialize.js";
import type {
  BrigadeEvent,
  CauseTrigger,
  EventHandler,
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
 * Runs the handlers for `init.type` (started in registration order, awaited together), waits until
 * nothing is pending, then fires `after`; if anything failed, fires `error` with `e.cause` instead.
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
  if (!registry.has(event.type)) return { status: "succeeded", handled: false };

  const phase = (type: string, e: BrigadeEvent) =>
    runPhase(registry.handlersFor(type), e, project, idle, fault);
  let failure = await phase(event.type, event);
  if (!failure) {
    failure = await phase("after", { ...followUp(event, "after"), cause: { event, trigger: "success" } });
    if (!failure) return { status: "succeeded", handled: true };
  }
  const cause = { event, reason: failure.reason, trigger: failure.trigger };
  const afterError = await runPhase(
    registry.handlersFor("error"),
    { ...followUp(event, "error"), cause },
    project,
    idle,
    new Promise<Fault>(() => {}),
  );
  if (afterError)
    currentHost().log("error", `an error handler failed too: ${serializeError(afterError.reason).message}`);
  return { status: "failed", trigger: failure.trigger, error: serializeError(failure.reason) };
}

async function runPhase(
  handlers: readonly EventHandler[],
  e: BrigadeEvent,
  p: Project,
  idle: () => Promise<void>,
  fault: Promise<Fault>,
): Promise<Failure | undefined> {
  if (handlers.length === 0) return undefined;
  const work = (async (): Promise<Failure | undefined> => {
    const running: Promise<unknown>[] = [];
    for (const handler of handlers) {
      try {
        running.push(Promise.resolve(handler(e, p)));
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
    await idle();
    return undefined;
  })();
  return Promise.race([work, fault]);
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
