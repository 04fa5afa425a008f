export { events, fire, EventRegistry, type EmittedOutcome } from "./events.js";
export { logger, type Logger } from "./logger.js";
export {
  Job,
  JobStorage,
  JobCache,
  JobDockerMount,
  JobHost,
  STORAGE_PATH,
  CACHE_PATH,
  type EnvVarSource,
  type JobVolumeConfig,
} from "./job.js";
export { Container, type ImagePullPolicy } from "./container.js";
export { isJobName, MAX_JOB_NAME, JOB_NAME_RULE } from "./job-name.js";
export { JobResult, JobFailedError, HostCallError, type JobErrorCode } from "./job-result.js";
export { Group } from "./group.js";
export { SerialGroup, ConcurrentGroup, type Runnable } from "./runnables.js";
export { dispatchEvent, type DispatchHooks, type DispatchOutcome, type Fault } from "./dispatch.js";
export { serializeError, type SerializedError } from "./serialize.js";
export { BRIDGE_GLOBAL } from "./protocol.js";
export type {
  HostBridge,
  JobRequest,
  SidecarRequest,
  JobReply,
  JobResultData,
  JobOutcome,
  JobResources,
  LogLevel,
} from "./protocol.js";
export type {
  BrigadeEvent,
  ImageEvent,
  CauseEvent,
  Cause,
  CauseTrigger,
  ImageInfo,
  Revision,
  Project,
  Repository,
  KubernetesConfig,
  EventHandler,
  EventInit,
  ProjectInit,
} from "./types.js";
export type { Event, V2Project, Worker, GitConfig, V2EventHandler, V2EventInit } from "./v2-types.js";
