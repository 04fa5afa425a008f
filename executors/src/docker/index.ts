export { DockerExecutor } from "./docker-executor.js";
export type { DockerExecutorOptions } from "./docker-executor.js";
export { DockerClient } from "./client.js";
export type {
  RegistryCredentials,
  PullOptions,
  ContainerSummary,
  ContainerState,
  WaitResult,
} from "./client.js";
export { DockerApiError, DOCKER_API_VERSION } from "./transport.js";
export { MANAGED_LABEL } from "./container-config.js";
export { DOCKER_JOB_SUPPORT } from "./job-support.js";
