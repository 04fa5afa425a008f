/**
 * The `kubernetes` executor: one Pod per job through the API server.
 *
 * Per job: create the env Secret and the registry-login Secret (each when needed) → create the Pod →
 * make the Pod their owner → watch the Pod to its end, following its log from the moment its
 * container has started (pod-log.ts: live output, resumed after a drop, completed once the pod has
 * ended) → delete the Pod (its Secrets go with it). Kubernetes enforces the timeout
 * (activeDeadlineSeconds); the executor only stops waiting when it is well overdue. Kubernetes keeps
 * one log per container with stdout and stderr interleaved, so the output is reported as stdout.
 * API failures become job failures with a code; a failing log stream is reported in the output.
 */
import type { Executor, JobResult, JobRunContext, JobSpec } from "@bosun/core";
import { CoreV1Api } from "@kubernetes/client-node";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { stoppedResult } from "../job-stopper.js";
import { startJob } from "../job-start.js";
import { redactAll } from "../redact.js";
import { KubernetesJobError, apiError } from "./errors.js";
import { CONTAINER_NAME, toPod } from "./pod.js";
import type { KubernetesPodOptions } from "./pod.js";
import { PodLog } from "./pod-log.js";
import { describeEnd } from "./pod-outcome.js";
import { watchPod } from "./pod-watch.js";
import type { PodEnd } from "./pod-watch.js";

export interface KubernetesExecutorOptions extends Omit<KubernetesPodOptions, "nonce"> {
  kubeConfig: KubeConfig;
  /** How long a finished pod is kept for inspection before it is deleted. Default 0: at once. */
  keepPodsMs?: number;
  /** How long an image pull (or container creation) may keep failing before the job fails. Default 2 min. */
  imagePullTimeoutMs?: number;
  /** How long past the job's timeout the executor waits for Kubernetes to enforce it. Default 60 s. */
  deadlineGraceMs?: number;
  /** Characters of output kept in JobResult.output (the most recent). Default 1 MiB. */
  maxOutputChars?: number;
  /** The most log a job may hand back, in bytes (the API's limitBytes). Default 10 MiB. */
  maxLogBytes?: number;
  /**
   * Pause before reconnecting a failed watch, or a log stream that failed or ended early (grows with
   * each failure in a row). Default 1 s.
   */
  watchRetryDelayMs?: number;
  /**
   * Failed watch connections in a row before the job fails; failed log streams in a row before the
   * log is no longer followed (the rest is then read once the pod has ended). Default 5.
   */
  watchMaxFailures?: number;
  /**
   * Once the pod has ended, how long its log stream may take to end with the container before the
   * rest of the log is read without follow. Default 10 s (the kubelet ends a follow within seconds).
   */
  logDrainMs?: number;
}

export class KubernetesExecutor implements Executor {
  readonly kind = "kubernetes" as const;
  readonly api: CoreV1Api;
  private readonly options: KubernetesExecutorOptions;
  private readonly server: string;
  private readonly pendingDeletes = new Map<NodeJS.Timeout, () => Promise<void>>();

  constructor(options: KubernetesExecutorOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.server = options.kubeConfig.getCurrentCluster()?.server ?? "(no cluster configured)";
  }

  /** Deletes now the pods that were being kept for inspection. */
  async close(): Promise<void> {
    const removals = [...this.pendingDeletes].map(([timer, remove]) => {
      clearTimeout(timer);
      return remove();
    });
    this.pendingDeletes.clear();
    await Promise.all(removals);
  }

  async run(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    const grace = this.options.deadlineGraceMs ?? 60_000;
    const deadline = spec.timeoutMs ? spec.timeoutMs + grace : undefined;
    const { startedAt, secrets, output, stopper } = startJob(
      spec,
      context,
      this.options.maxOutputChars,
      deadline,
    );
    const { namespace } = this.options;
    let name: string | undefined;
    let created: V1Pod | undefined;
    /** Secrets created and not (yet) owned by the pod: deleted explicitly at the end. */
    let secretsToDelete: string[] = [];
    let end: PodEnd | undefined;
    let error: KubernetesJobError | undefined;
    let log: PodLog | undefined;
    try {
      const { pod, secret, pullSecret } = toPod(spec, {
        ...this.options,
        nonce: randomBytes(4).toString("hex"),
      });
      name = pod.metadata?.name ?? "";
      const podName = name;
      for (const body of [secret, pullSecret]) {
        if (!body || stopper.reason) continue;
        await this.call(`creating secret ${body.metadata?.name} in namespace ${namespace}`, () =>
          this.api.createNamespacedSecret({ namespace, body }),
        );
        secretsToDelete.push(body.metadata?.name ?? "");
      }
      if (!stopper.reason) {
        created = await this.call(`creating pod ${podName} in namespace ${namespace}`, () =>
          this.api.createNamespacedPod({ namespace, body: pod }),
        );
        const owned: string[] = [];
        for (const secretName of secretsToDelete) {
          if (await this.ownSecret(secretName, created)) owned.push(secretName);
        }
        secretsToDelete = secretsToDelete.filter((n) => !owned.includes(n));
        const podLog = new PodLog({
          kubeConfig: this.options.kubeConfig,
          server: this.server,
          namespace,
          name: podName,
          container: CONTAINER_NAME,
          maxBytes: this.options.maxLogBytes ?? 10 * 1024 * 1024,
          output,
          signal: stopper.signal,
          retryDelayMs: this.options.watchRetryDelayMs ?? 1_000,
          maxFailures: this.options.watchMaxFailures ?? 5,
        });
        log = podLog;
        end = await watchPod({
          kubeConfig: this.options.kubeConfig,
          api: this.api,
          namespace,
          name: podName,
          resourceVersion: created.metadata?.resourceVersion,
          signal: stopper.signal,
          stuckAfterMs: this.options.imagePullTimeoutMs ?? 120_000,
          retryDelayMs: this.options.watchRetryDelayMs ?? 1_000,
          maxFailures: this.options.watchMaxFailures ?? 5,
          onPod: (pod) => podLog.observe(pod),
        }).catch((err: unknown) => {
          throw apiError(err, `watching pod ${podName} in namespace ${namespace}`, this.server);
        });
        // A finished pod's log is made complete; any other end (cancelled, timed out, stuck, deleted)
        // just ends the stream, and the pod is deleted below.
        if (end.kind === "finished") await podLog.finish(end.pod, this.options.logDrainMs ?? 10_000);
      }
    } catch (err) {
      // API calls are mapped where they are made; anything else here is a fault of the executor's own.
      error =
        err instanceof KubernetesJobError
          ? err
          : new KubernetesJobError(
              "INTERNAL",
              `running the job: ${err instanceof Error ? err.message : String(err)}`,
            );
    } finally {
      await log?.close();
      stopper.dispose();
      output.end();
    }
    const stoppedBy = end ? (end.kind === "stopped" ? stopper.reason : undefined) : stopper.reason;
    if (name && created) await this.deletePod(name, stoppedBy !== undefined || end?.kind !== "finished");
    for (const secretName of secretsToDelete) await this.deleteSecret(secretName);

    const result = { output: output.text(), startedAt, finishedAt: new Date().toISOString() };
    const stopped = stoppedResult(stoppedBy, spec.timeoutMs, result, "its pod was deleted");
    if (stopped) return stopped;
    if (error || !end) {
      const e = error ?? new KubernetesJobError("KUBERNETES_API_ERROR", "the job did not run");
      return {
        ...result,
        outcome: "failed",
        error: { code: e.code, message: redactAll(e.message, secrets) },
      };
    }
    const described = describeEnd(end, spec);
    if (described.error) described.error.message = redactAll(described.error.message, secrets);
    return { ...result, ...described };
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw apiError(err, doing, this.server);
    }
  }

  /** The second step of a per-job Secret: owned by the pod, it is deleted with it. False if refused. */
  private async ownSecret(secretName: string, pod: V1Pod): Promise<boolean> {
    const uid = pod.metadata?.uid;
    const podName = pod.metadata?.name;
    if (!uid || !podName) return false;
    const owner = { apiVersion: "v1", kind: "Pod", name: podName, uid };
    try {
      await this.api.patchNamespacedSecret({
        name: secretName,
        namespace: this.options.namespace,
        body: [{ op: "add", path: "/metadata/ownerReferences", value: [owner] }],
      });
      return true;
    } catch {
      // The job can still run; the Secret is then deleted explicitly afterwards.
      return false;
    }
  }

  /** Deletion is best effort: a pod that cannot be deleted now is no reason to fail a finished job. */
  private async deletePod(name: string, now: boolean): Promise<void> {
    const keepMs = this.options.keepPodsMs ?? 0;
    const remove = () =>
      this.api
        .deleteNamespacedPod({
          name,
          namespace: this.options.namespace,
          propagationPolicy: "Background",
          ...(now ? { gracePeriodSeconds: 0 } : {}),
        })
        .then(
          () => undefined,
          () => undefined,
        );
    if (now || keepMs <= 0) return remove();
    const timer = setTimeout(() => {
      this.pendingDeletes.delete(timer);
      void remove();
    }, keepMs);
    timer.unref();
    this.pendingDeletes.set(timer, remove);
  }

  private async deleteSecret(name: string): Promise<void> {
    // Best effort, like the pod: a Secret left behind holds values but runs nothing.
    await this.api.deleteNamespacedSecret({ name, namespace: this.options.namespace }).catch(() => undefined);
  }
}
