/**
 * The executors a server's projects use, made on first use: a project that never runs on Kubernetes
 * needs no kubeconfig. An executor that cannot be made fails its jobs with EXECUTOR_UNAVAILABLE and
 * the reason, rather than stopping the server.
 */
import { join } from "node:path";
import type { Executor, ExecutorKind, ServerConfig } from "@bosun/core";
import {
  DEFAULT_MAX_CONCURRENT_JOBS,
  DockerExecutor,
  fairSlots,
  HostExecutor,
  kubernetesExecutorFrom,
  withSlots,
  type DockerExecutorOptions,
  type KubernetesExecutor,
} from "@bosun/executors";

/** Where the docker executor's own logins come from, and what a refused pull advises. */
export type DockerLogins = Pick<DockerExecutorOptions, "registryAuth" | "loginAdvice">;

export class Executors {
  readonly docker: DockerExecutor;
  private host?: Executor;
  private kubernetes?: Executor;
  private kubernetesClient?: KubernetesExecutor;

  constructor(
    private readonly config: ServerConfig,
    logins: DockerLogins = {},
  ) {
    this.docker = new DockerExecutor({
      ...logins,
      socketPath: config.docker.socketPath,
      network: config.docker.network,
      insecureRegistries: config.docker.insecureRegistries,
      maxConcurrentJobs: config.docker.maxConcurrentJobs,
      maxConcurrentJobsPerProject: config.jobs?.maxConcurrentPerProject,
    });
  }

  for(kind: ExecutorKind): Executor {
    switch (kind) {
      case "docker":
        return this.docker;
      case "host":
        return (this.host ??= this.slotted(
          new HostExecutor({ workRoot: join(this.config.dataDir, "host-jobs") }),
        ));
      case "kubernetes":
        return (this.kubernetes ??= this.slotted(this.makeKubernetes()));
    }
  }

  async close(): Promise<void> {
    await this.docker.close();
    await this.kubernetesClient?.close();
  }

  /** Host and kubernetes jobs wait for one of the executor's slots, shared fairly between projects. */
  private slotted(executor: Executor): Executor {
    const jobs = this.config.jobs;
    return withSlots(
      executor,
      fairSlots(jobs?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_JOBS, jobs?.maxConcurrentPerProject),
    );
  }

  private makeKubernetes(): Executor {
    const k = this.config.kubernetes;
    try {
      this.kubernetesClient = kubernetesExecutorFrom({
        kubeconfig: k?.kubeconfig,
        namespace: k?.namespace ?? "default",
        serviceAccountName: k?.serviceAccountName,
        imagePullSecrets: k?.imagePullSecrets,
        nodeSelector: k?.nodeSelector,
        workspaceClaim: k?.workspaceClaim,
        cacheClaim: k?.cacheClaim,
        pathClaims: k?.pathClaims,
        keepPodsMs: k?.keepPodsMs,
      });
      return this.kubernetesClient;
    } catch (err) {
      return unavailable(
        "kubernetes",
        `no Kubernetes cluster to run jobs on: ${(err as Error).message} (set kubernetes.kubeconfig in the server config)`,
      );
    }
  }
}

function unavailable(kind: ExecutorKind, message: string): Executor {
  return {
    kind,
    run: async () => {
      const at = new Date().toISOString();
      return {
        outcome: "failed",
        output: "",
        startedAt: at,
        finishedAt: at,
        error: { code: "EXECUTOR_UNAVAILABLE", message },
      };
    },
  };
}
