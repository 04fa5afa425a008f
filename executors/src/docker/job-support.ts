/** What the docker executor does with each JobSpec field (docs/executors.md; checked by the contract). */
import type { JobSpecSupport } from "@bosun/core";

export const DOCKER_JOB_SUPPORT = {
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
  dockerSocket: "honoured",
  labels: "honoured",
  registryCredentials: "honoured",
  imagePullSecrets: { limitation: "ignored: pulls use the project's registry logins (registryCredentials)" },
  imageForcePull: { limitation: "ignored: an image the engine has is not pulled again" },
  serviceAccount: { limitation: "ignored: a container has no cluster account" },
  annotations: { limitation: "ignored: a container carries labels only" },
  resourceRequests: { limitation: "ignored: a single container has limits only (resourceLimits)" },
  resourceLimits: "honoured",
  host: { limitation: "ignored: jobs run where the engine runs" },
  storage: { limitation: "not read: the script handler gives the run's storage as a host folder in mounts" },
  cache: {
    limitation:
      "not read: the script handler gives the job's cache as a host folder in mounts; size is not enforced",
  },
  sidecars: "honoured",
} as const satisfies JobSpecSupport;
