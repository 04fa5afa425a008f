/**
 * Sidecars on the docker executor: each is a container of its own, the first one on the job's
 * network and every other container of the job (the job's own included) in that first one's network
 * namespace (`NetworkMode: "container:<id>"`), so they reach each other on 127.0.0.1 as in a pod.
 */
import type { JobSidecar, JobSpec } from "@bosun/core";

/** Labels a sidecar's container carries besides the job's own (which the reaper finds it by). */
export const SIDECAR_LABEL = "bosun.sidecar";

/** The sidecar as a JobSpec of its own, for `containerConfig`: the job's mounts and labels, no limits. */
export function sidecarSpec(job: JobSpec, sidecar: JobSidecar): JobSpec {
  return {
    name: `${job.name}-${sidecar.name}`,
    image: sidecar.image,
    tasks: [],
    command: sidecar.command,
    args: sidecar.args,
    env: sidecar.env,
    workingDir: sidecar.workingDir,
    privileged: sidecar.privileged === true,
    mounts: job.mounts,
    labels: { ...job.labels, [SIDECAR_LABEL]: sidecar.name },
    registryCredentials: job.registryCredentials,
  };
}

/** The network the job's own container (and every sidecar after the first) joins. */
export function sharedNetwork(firstSidecarId: string | undefined, network: string | undefined) {
  return firstSidecarId ? `container:${firstSidecarId}` : network;
}
