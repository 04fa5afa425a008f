/** A pod's end → the job's outcome, exit code and, when Kubernetes rather than the job decided, why. */
import type { JobResult, JobSpec } from "@bosun/core";
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { parseImageRef } from "../docker/image-ref.js";
import { loginFor, PULL_AUTH_REFUSED, pullRefusedMessage } from "../registry-login.js";
import { CONTAINER_NAME } from "./pod.js";
import type { PodEnd } from "./pod-watch.js";

type Described = Pick<JobResult, "outcome" | "exitCode" | "error">;

function jobContainer(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === CONTAINER_NAME);
}

/** Whether the job's container ever ran, so that it has a log worth fetching. */
export function hasStarted(pod: V1Pod): boolean {
  const status = jobContainer(pod);
  return Boolean(status?.state?.running || status?.state?.terminated || status?.lastState?.terminated);
}

/** Whether the job's container has terminated, so that its log is complete. */
export function containerEnded(pod: V1Pod): boolean {
  return Boolean(jobContainer(pod)?.state?.terminated);
}

export function describeEnd(end: PodEnd, spec: JobSpec): Described {
  switch (end.kind) {
    case "stuck":
      return {
        outcome: "failed",
        error: { code: end.code, message: stuckMessage(end.code, end.message, spec) },
      };
    case "deleted":
      return {
        outcome: "failed",
        error: { code: "KUBERNETES_POD_DELETED", message: "the job's pod was deleted before it finished" },
      };
    case "stopped":
      return { outcome: "cancelled", error: { code: "JOB_CANCELLED", message: "the job was cancelled" } };
    case "finished":
      return describeFinished(end.pod, spec);
  }
}

/** A pull the registry refused says which registry and how to log in, as with the docker executor. */
function stuckMessage(code: string, message: string, spec: JobSpec): string {
  if (code !== "IMAGE_PULL_FAILED" || !PULL_AUTH_REFUSED.test(message)) return message;
  const { registry } = parseImageRef(spec.image);
  return pullRefusedMessage({
    image: spec.image,
    registry,
    login: loginFor(spec.registryCredentials, registry),
    project: spec.labels["bosun.project"],
    detail: message,
  });
}

function describeFinished(pod: V1Pod, spec: JobSpec): Described {
  if (pod.status?.reason === "DeadlineExceeded") {
    const message = `the job did not finish within ${spec.timeoutMs} ms and Kubernetes stopped it`;
    return { outcome: "timed_out", error: { code: "JOB_TIMED_OUT", message } };
  }
  const terminated = jobContainer(pod)?.state?.terminated;
  if (!terminated) {
    // Evicted, or the node went away: the pod failed without the job's container ending on its own.
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(": ") || "no reason given";
    return {
      outcome: "failed",
      error: { code: "KUBERNETES_POD_FAILED", message: `the job's pod failed (${why})` },
    };
  }
  const exitCode = terminated.exitCode;
  if (terminated.reason === "OOMKilled") {
    const message = "the job ran out of memory (OOMKilled) and was killed";
    return { outcome: "failed", exitCode, error: { code: "JOB_FAILED", message } };
  }
  return { outcome: exitCode === 0 && pod.status?.phase === "Succeeded" ? "succeeded" : "failed", exitCode };
}
