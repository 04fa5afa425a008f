/** What handlers receive: Brigade v1's event and project, plus the pushed image. */
import type { V2EventInit } from "./v2-types.js";

/** The image a registry event is about. */
export interface ImageInfo {
  /** Registry host, e.g. "docker.io" or "myregistry.azurecr.io". */
  registry: string;
  /** Repository path without host, e.g. "myorg/app". */
  repository: string;
  tag?: string;
  digest?: string;
  mediaType?: string;
  pusher?: string;
  /** RFC 3339. */
  pushedAt?: string;
  /** "docker.io/myorg/app:v1.2.3", or "...@sha256:..." when there is no tag. */
  ref: string;
  /**
   * Every tag pushed for this digest within the subscription's window, in arrival order, when it runs
   * once per digest (runPer: digest); `tag` is the first. Absent otherwise.
   */
  tags?: string[];
}

export interface Revision {
  commit?: string;
  ref?: string;
}

/**
 * Why an `after` or `error` event fired. `handlerError`: a handler threw or its promise rejected;
 * `unhandledRejection` / `uncaughtException`: a promise or timer outside the handlers failed.
 */
export type CauseTrigger = "success" | "handlerError" | "unhandledRejection" | "uncaughtException";

export interface Cause {
  /** The event whose handling succeeded or failed. */
  event: BrigadeEvent;
  /** What was thrown, for `error` events. */
  reason?: unknown;
  trigger: CauseTrigger;
}

export interface BrigadeEvent {
  buildID: string;
  workerID: string;
  /** "image_push", "exec", "after", "error", ... */
  type: string;
  /** Who sent it: the registry kind ("dockerhub", "acr", ...), "cli", or "bosun" for after/error. */
  provider: string;
  revision: Revision;
  /** The request body exactly as received; Brigade scripts `JSON.parse(e.payload)`. */
  payload: string;
  cause?: Cause;
  /** Brigade's log level (0, "ALL"): Bosun keeps every line the script writes. */
  logLevel: number;
  /** Present on registry events. */
  image?: ImageInfo;
}

/** An `image_push` (or `image_delete`) event: the image is always there. */
export interface ImageEvent extends BrigadeEvent {
  image: ImageInfo;
}

/** An `after` or `error` event: the cause is always there. */
export interface CauseEvent extends BrigadeEvent {
  cause: Cause;
}

export interface Repository {
  name: string;
  /** "" when the project names no repository (Bosun jobs get no source checkout). */
  cloneURL: string;
  initGitSubmodules: boolean;
}

/**
 * Brigade's Kubernetes settings of a project. Bosun scripts do not run inside a namespace of their
 * own: the fields are there so scripts that read them keep working, with Brigade's defaults.
 */
export interface KubernetesConfig {
  namespace: string;
  vcsSidecar: string;
  vcsSidecarResourcesLimitsCPU: string;
  vcsSidecarResourcesLimitsMemory: string;
  vcsSidecarResourcesRequestsCPU: string;
  vcsSidecarResourcesRequestsMemory: string;
  buildStorageSize: string;
  cacheStorageClass: string;
  buildStorageClass: string;
}

export interface Project {
  id: string;
  name: string;
  /** The project's secrets by name. */
  secrets: Record<string, string>;
  repo: Repository;
  kubernetes: KubernetesConfig;
  /** Whether jobs may run privileged (and mount the engine's socket). */
  allowPrivilegedJobs: boolean;
  allowHostMounts: boolean;
}

export type EventHandler<E extends BrigadeEvent = BrigadeEvent> = (e: E, p: Project) => unknown;

/** The event as the runtime hands it over (no cause: causes are made by the dispatch). */
export interface EventInit {
  type: string;
  buildID: string;
  workerID?: string;
  provider: string;
  payload?: string;
  revision?: Revision;
  image?: ImageInfo;
  /** The same event as Brigade v2 names it; absent, no v2 handler runs. */
  v2?: V2EventInit;
}

export interface ProjectInit {
  id?: string;
  name: string;
  secrets?: Record<string, string>;
  repo?: Partial<Repository>;
  kubernetes?: Partial<KubernetesConfig>;
  allowPrivilegedJobs?: boolean;
  allowHostMounts?: boolean;
}
