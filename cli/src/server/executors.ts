/**
 * The executors a server's projects use, made on first use: a project that never runs on Kubernetes
 * needs no kubeconfig. An executor that cannot be made fails its jobs with EXECUTOR_UNAVAILABLE and
 * the reason, rather than stopping the server.
 */
import { join } from "node:path";
import type { Executor, ExecutorKind, ServerConfig } from "@bosun/core";
import { DockerExecutor, HostExecutor, KubernetesExecutor, kubernetesExecutorFrom } from "@bosun/worker";
import type { DockerExecutorOptions } from "@bosun/worker";

/** Where the docker executor's own logins come from, and what a refused pull advises. */
export type DockerLogins = Pick<DockerExecutorOptions, "registryAuth" | "loginAdvice">;

export class Executors {
  readonly docker: DockerExecutor;
  private host?: HostExecutor;
  private kubernetes?: Executor;

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
    });
  }

  for(kind: ExecutorKind): Executor {
    switch (kind) {
      case "docker":
        return this.docker;
      case "host":
        return (this.host ??= new HostExecutor({ workRoot: join(this.config.dataDir, "host-jobs") }));
      case "kubernetes":
        return (this.kubernetes ??= this.makeKubernetes());
    }
  }

  async close(): Promise<void> {
    await this.docker.close();
    if (this.kubernetes instanceof KubernetesExecutor) await this.kubernetes.close();
  }

  private makeKubernetes(): Executor {
    const k = this.config.kubernetes;
    try {
      return kubernetesExecutorFrom({
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
