// What other packages use; the package's own tests import the module files directly.
export { DockerExecutor, DockerClient } from "./docker/index.js";
export type { DockerExecutorOptions } from "./docker/index.js";
// The Kubernetes stand-in (test-support) runs pods as containers through these.
export { parseImageRef } from "./docker/image-ref.js";
export { StreamDemuxer } from "./docker/stream-demux.js";
export { HostExecutor, type HostExecutorOptions } from "./host/index.js";
export { KubernetesExecutor } from "./kubernetes/index.js";
export { kubernetesExecutorFrom } from "./kubernetes/from-config.js";
export type { KubernetesExecutorOptions, KubernetesPodOptions } from "./kubernetes/index.js";
export { DEFAULT_MAX_CONCURRENT_JOBS, fairSlots, Slots } from "./slots.js";
export { withSlots } from "./slotted.js";
