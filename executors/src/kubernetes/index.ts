export { KubernetesExecutor } from "./kubernetes-executor.js";
export type { KubernetesExecutorOptions } from "./kubernetes-executor.js";
export { toPod, CONTAINER_NAME, MANAGED_BY } from "./pod.js";
export type { KubernetesPodOptions, PodObjects } from "./pod.js";
export { KubernetesJobError, PodSpecError } from "./errors.js";
export type { KubernetesErrorCode } from "./errors.js";
export { KUBERNETES_JOB_SUPPORT } from "./job-support.js";
