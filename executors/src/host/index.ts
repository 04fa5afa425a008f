export { HostExecutor } from "./host-executor.js";
export type { HostExecutorOptions } from "./host-executor.js";
export { HOST_JOB_SUPPORT } from "./job-support.js";
