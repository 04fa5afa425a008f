export { HostExecutor } from "./host-executor.js";
export type { HostExecutorOptions } from "./host-executor.js";
