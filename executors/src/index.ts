export { DockerExecutor, DockerClient, DOCKER_JOB_SUPPORT } from "./docker/index.js";
export type { DockerExecutorOptions } from "./docker/index.js";
// The Kubernetes stand-in (test-support) runs pods as containers through these.
export { parseImageRef } from "./docker/image-ref.js";
export { StreamDemuxer } from "./docker/stream-demux.js";
export { HostExecutor, HOST_JOB_SUPPORT, type HostExecutorOptions } from "./host/index.js";
export { KubernetesExecutor, KUBERNETES_JOB_SUPPORT, toPod } from "./kubernetes/index.js";
export { kubernetesExecutorFrom } from "./kubernetes/from-config.js";
export type { KubernetesExecutorOptions, KubernetesPodOptions } from "./kubernetes/index.js";
export { DEFAULT_MAX_CONCURRENT_JOBS, fairSlots, Slots } from "./slots.js";
export { runInSlot, withSlots } from "./slotted.js";
