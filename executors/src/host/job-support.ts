/** What the host executor does with each JobSpec field (docs/executors.md; checked by the contract). */
import type { JobSpecSupport } from "@bosun/core";

const NOTHING_PULLED = { limitation: "ignored: there is no image, nothing is pulled" } as const;

export const HOST_JOB_SUPPORT = {
  name: { limitation: "not used: the job's directory is named at random" },
  image: { limitation: "ignored: there is no container, the tasks run on the worker's machine" },
  tasks: "honoured",
  command: "honoured",
  args: "honoured",
  shell: "honoured",
  env: "honoured",
  secretValues: "honoured",
  workingDir: "honoured",
  mounts: "honoured",
  timeoutMs: "honoured",
  privileged: { limitation: "ignored: the shell runs as the worker's own user" },
  dockerSocket: { limitation: "ignored: there is no container to mount the engine's socket in" },
  labels: { limitation: "ignored: a process carries no labels" },
  registryCredentials: NOTHING_PULLED,
  imagePullSecrets: NOTHING_PULLED,
  imageForcePull: NOTHING_PULLED,
  serviceAccount: { limitation: "ignored: there is no cluster account" },
  annotations: { limitation: "ignored: there is no pod to annotate" },
  resourceRequests: { limitation: "ignored: the shell gets what the worker's machine has" },
  resourceLimits: { limitation: "ignored: the shell gets what the worker's machine has" },
  host: { limitation: "ignored: jobs run on the worker's machine" },
  storage: { limitation: "not read: the script handler gives the run's storage as a host folder in mounts" },
  cache: {
    limitation:
      "not read: the script handler gives the job's cache as a host folder in mounts; size is not enforced",
  },
  sidecars: { limitation: "ignored: no sidecar runs beside a process on the worker's machine" },
} as const satisfies JobSpecSupport;
