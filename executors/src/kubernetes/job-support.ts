/** What the kubernetes executor does with each JobSpec field (docs/executors.md; checked by the contract). */
import type { JobSpecSupport } from "@bosun/core";

export const KUBERNETES_JOB_SUPPORT = {
  name: "honoured",
  image: "honoured",
  tasks: "honoured",
  command: "honoured",
  args: "honoured",
  shell: "honoured",
  env: "honoured",
  secretValues: "honoured",
  workingDir: "honoured",
  mounts: "honoured",
  timeoutMs: "honoured",
  privileged: "honoured",
  dockerSocket: { limitation: "ignored: a pod has no container engine to talk to" },
  labels: "honoured",
  registryCredentials: "honoured",
  imagePullSecrets: "honoured",
  imageForcePull: "honoured",
  serviceAccount: "honoured",
  annotations: "honoured",
  resourceRequests: "honoured",
  resourceLimits: "honoured",
  host: "honoured",
  storage: "honoured",
  cache: "honoured",
  // Native sidecar containers (Kubernetes 1.29+): in the job's pod, stopped when it ends.
  sidecars: "honoured",
} as const satisfies JobSpecSupport;
