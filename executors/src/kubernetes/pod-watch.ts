/**
 * Follows one pod until it ends, through the API's watch. Watch connections end all the time (server
 * timeouts, load balancers, networks): each is resumed from the last resourceVersion seen. When that
 * version is too old for the server (410 Gone, as an HTTP status or as an ERROR event in the stream),
 * the pod is listed afresh and watched from the list's version.
 */
import type { CoreV1Api, KubeConfig, V1Pod } from "@kubernetes/client-node";
import { Watch } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { statusOf } from "./errors.js";

export type PodEnd =
  | { kind: "finished"; pod: V1Pod }
  /** Waiting on something that is not going to get better (an image that cannot be pulled, ...). */
  | { kind: "stuck"; code: "IMAGE_PULL_FAILED" | "KUBERNETES_POD_FAILED"; message: string; pod: V1Pod }
  | { kind: "deleted"; pod?: V1Pod }
  /** The signal aborted first. */
  | { kind: "stopped"; pod?: V1Pod };

export interface PodWatchOptions {
  kubeConfig: KubeConfig;
  api: CoreV1Api;
  namespace: string;
  name: string;
  /** From the create response: events after it are the pod's whole life. */
  resourceVersion?: string;
  signal: AbortSignal;
  /** How long a retryable waiting reason (ErrImagePull, ImagePullBackOff, ...) may last. */
  stuckAfterMs: number;
  /** Pause before reconnecting after a failed connection, growing with each failure in a row. */
  retryDelayMs: number;
  /** Failed connections in a row (without any event) before the watch gives up with the last error. */
  maxFailures: number;
  /** Every state of the pod seen, before the watch decides whether it has ended. */
  onPod?: (pod: V1Pod) => void;
}

const PULL_RETRYING = new Set(["ErrImagePull", "ImagePullBackOff", "RegistryUnavailable"]);
const PULL_FINAL = new Set(["InvalidImageName", "ErrImageNeverPull"]);
const CREATE_RETRYING = new Set(["CreateContainerConfigError", "CreateContainerError"]);

interface Problem {
  code: "IMAGE_PULL_FAILED" | "KUBERNETES_POD_FAILED";
  message: string;
  final: boolean;
}

/** Why the pod's container is waiting, when that is a problem rather than progress. */
export function waitingProblem(pod: V1Pod): Problem | undefined {
  for (const status of pod.status?.containerStatuses ?? []) {
    const reason = status.state?.waiting?.reason ?? "";
    const detail = status.state?.waiting?.message ? `: ${status.state.waiting.message}` : "";
    if (PULL_RETRYING.has(reason) || PULL_FINAL.has(reason)) {
      const message = `image ${status.image} could not be pulled (${reason}${detail})`;
      return { code: "IMAGE_PULL_FAILED", message, final: PULL_FINAL.has(reason) };
    }
    if (CREATE_RETRYING.has(reason)) {
      const message = `the job's container could not be created (${reason}${detail})`;
      return { code: "KUBERNETES_POD_FAILED", message, final: false };
    }
  }
  return undefined;
}

type Connection = { kind: "gone" } | { kind: "closed"; events: number; error?: unknown };

export function watchPod(o: PodWatchOptions): Promise<PodEnd> {
  const watch = new Watch(o.kubeConfig);
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods`;
  const fieldSelector = `metadata.name=${o.name}`;
  let resourceVersion = o.resourceVersion;
  let lastPod: V1Pod | undefined;
  /** The kubelet's last ErrImagePull message: why the pull failed, which ImagePullBackOff no longer says. */
  let lastPullError: string | undefined;
  let stuckTimer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;
  let settled = false;

  return new Promise<PodEnd>((resolve, reject) => {
    const stopped = new AbortController();
    const settle = (end: PodEnd | { error: unknown }) => {
      if (settled) return;
      settled = true;
      stopped.abort();
      clearTimeout(stuckTimer);
      current?.abort();
      o.signal.removeEventListener("abort", onAbort);
      if ("error" in end) reject(end.error);
      else resolve(end);
    };
    const onAbort = () => settle({ kind: "stopped", pod: lastPod });

    const observe = (pod: V1Pod) => {
      lastPod = pod;
      resourceVersion = pod.metadata?.resourceVersion ?? resourceVersion;
      o.onPod?.(pod);
      for (const status of pod.status?.containerStatuses ?? []) {
        const waiting = status.state?.waiting;
        if (waiting?.reason === "ErrImagePull" && waiting.message) lastPullError = waiting.message;
      }
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") return settle({ kind: "finished", pod });
      const problem = waitingProblem(pod);
      if (!problem) {
        clearTimeout(stuckTimer);
        stuckTimer = undefined;
      } else if (problem.final) {
        settle({ kind: "stuck", code: problem.code, message: problem.message, pod });
      } else {
        // The kubelet keeps retrying; the latest reason is the one reported when the wait is over.
        stuckTimer ??= setTimeout(() => {
          const latest = (lastPod && waitingProblem(lastPod)) ?? problem;
          const why =
            latest.code === "IMAGE_PULL_FAILED" && lastPullError && !latest.message.includes(lastPullError)
              ? `; the last pull failed with: ${lastPullError}`
              : "";
          settle({ kind: "stuck", code: latest.code, message: latest.message + why, pod: lastPod ?? pod });
        }, o.stuckAfterMs);
      }
    };

    const connect = () =>
      new Promise<Connection>((done) => {
        let events = 0;
        let gone = false;
        const finished = (error: unknown) => {
          current = undefined;
          done(gone || statusOf(error) === 410 ? { kind: "gone" } : { kind: "closed", events, error });
        };
        const onEvent = (type: string, object: unknown) => {
          if (settled) return;
          events++;
          if (type === "ERROR") {
            gone ||= (object as { code?: unknown } | null)?.code === 410;
            current?.abort();
          } else if (type === "BOOKMARK") {
            resourceVersion = (object as V1Pod).metadata?.resourceVersion ?? resourceVersion;
          } else if (type === "DELETED") {
            settle({ kind: "deleted", pod: object as V1Pod });
          } else {
            observe(object as V1Pod);
          }
        };
        const query = { fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 25 };
        watch.watch(path, query, onEvent, finished).then((controller) => {
          current = controller;
          if (settled || gone) controller.abort();
        }, finished);
      });

    /** After 410 Gone: the pod as it is now, and the version to watch from. */
    const relist = async () => {
      const list = await o.api.listNamespacedPod({ namespace: o.namespace, fieldSelector });
      const pod = list.items[0];
      if (!pod) return settle({ kind: "deleted", pod: lastPod });
      observe(pod);
      resourceVersion = list.metadata?.resourceVersion ?? resourceVersion;
    };

    const loop = async () => {
      let failures = 0;
      while (!settled) {
        const c = await connect();
        if (settled) return;
        let error: unknown;
        if (c.kind === "gone") {
          error = await relist().then(
            () => undefined,
            (err: unknown) => err,
          );
        } else if (c.error && !isInactivityTimeout(c.error)) {
          error = c.events > 0 ? undefined : c.error;
        }
        failures = error ? failures + 1 : 0;
        if (failures >= o.maxFailures) return settle({ error });
        // A connection that ended without news is paused after too, so a server that keeps closing
        // at once is not hammered.
        const pause =
          failures > 0
            ? o.retryDelayMs * failures
            : c.kind === "closed" && c.events === 0
              ? o.retryDelayMs
              : 0;
        if (pause > 0) await sleep(pause, undefined, { signal: stopped.signal });
      }
    };

    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener("abort", onAbort, { once: true });
    // After settling, the only rejection left is the aborted pause, which settle ignores.
    loop().catch((error: unknown) => settle({ error }));
  });
}

/** The client's own timer for a silent connection: a quiet pod, not a failure. */
function isInactivityTimeout(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "TimeoutError";
}
