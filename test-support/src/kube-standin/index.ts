/**
 * A Kubernetes API stand-in for tests (no Kubernetes API server runs in the test environment).
 *
 * What it implements: the part of the core/v1 REST API the kubernetes executor uses, over plain
 * HTTP with a bearer token: Secrets (create, get, list, JSON/merge patch, delete), Pods (create, get,
 * list and watch with labelSelector / fieldSelector / resourceVersion / allowWatchBookmarks /
 * timeoutSeconds, delete with gracePeriodSeconds and propagationPolicy) and pods/{name}/log
 * (container, limitBytes, follow: with follow=true the log so far and then as the container writes
 * it, ending once the container has exited). Objects live in memory under increasing resourceVersions; watches stream
 * `{type, object}` JSON lines, resume from a resourceVersion, get BOOKMARKs, and an ERROR 410 when
 * the version is older than the history kept. Every object written is checked against the official
 * schemas (kubernetes-models) and a few of the server's own rules, and refused with 422 and a Status.
 * Each Pod runs for real as a container on Podman (see kubelet.ts): image (pulled with the
 * imagePullSecrets when missing), command/args with `$(VAR)` expansion, workingDir, env from values
 * and Secrets (secretKeyRef, envFrom secretRef), hostPath, emptyDir and PersistentVolumeClaim
 * volumes (a claim is the directory `claims/<namespace>/<claim>` under a temporary root, made on
 * first use; subPaths are folders in it, so pods mounting the same claim and subPath share files),
 * activeDeadlineSeconds, the phases and container states a kubelet reports, graceful deletion, and
 * garbage collection of Secrets whose owner Pod is gone.
 *
 * What it does not: scheduling and nodes (one node, every pod runs at once, nodeSelector and
 * tolerations are ignored), resource requests and limits (validated, not enforced), quotas, RBAC
 * (any holder of the token may do anything), admission, PersistentVolumeClaim objects, other
 * resources and volume types, more than one main container, init containers other than native
 * sidecars (`restartPolicy: Always`, which it runs), restartPolicy other than Never (refused with
 * 400), the other log parameters (timestamps, sinceTime, tailLines, ...: refused with 400), TLS.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DockerClient } from "@bosun/executors";
import { Api } from "./api.js";
import type { Received } from "./api.js";
import { Kubelet, STANDIN_LABEL } from "./kubelet.js";
import { labelSelector } from "./selectors.js";
import type { StandinObject } from "./selectors.js";
import { Store } from "./store.js";
import type { Resource } from "./store.js";

export { STANDIN_LABEL } from "./kubelet.js";
export type { Received } from "./api.js";

export interface KubeStandinOptions {
  /** The Docker API socket (Podman's service) the pods run on. */
  socketPath: string;
  /** Namespaces that exist. Default ["default"]. */
  namespaces?: string[];
  /** Interval of BOOKMARK events on watches that allow them. Default 1 s. */
  bookmarkIntervalMs?: number;
  /** Cap on graceful termination before SIGKILL (a test needs no 30 s grace). Default 1 s. */
  maxGraceMs?: number;
  /** First retry pause after a failed pull or a missing Secret. Default 500 ms. */
  backoffMs?: number;
}

export class KubeStandin {
  /** The value of STANDIN_LABEL on this stand-in's containers. */
  readonly id = randomBytes(4).toString("hex");
  readonly token = randomBytes(16).toString("hex");
  readonly root: string;
  readonly client: DockerClient;
  private readonly store = new Store();
  private readonly kubelet: Kubelet;
  private readonly api: Api;
  private readonly server: http.Server;

  private constructor(options: KubeStandinOptions) {
    this.root = mkdtempSync(join(tmpdir(), "bosun-kube-standin-"));
    this.client = new DockerClient({ socketPath: options.socketPath });
    this.kubelet = new Kubelet({
      client: this.client,
      store: this.store,
      root: this.root,
      instance: this.id,
      maxGraceMs: options.maxGraceMs ?? 1_000,
      backoffMs: options.backoffMs ?? 500,
    });
    this.api = new Api(this.store, this.kubelet, {
      namespaces: options.namespaces ?? ["default"],
      token: this.token,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1_000,
    });
    this.server = http.createServer((req, res) => void this.api.handle(req, res));
  }

  static async start(options: KubeStandinOptions): Promise<KubeStandin> {
    const standin = new KubeStandin(options);
    await new Promise<void>((resolve) => standin.server.listen(0, "127.0.0.1", resolve));
    return standin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every request received, in order. */
  get received(): readonly Received[] {
    return this.api.received;
  }

  /** A kubeconfig document (YAML is a superset of JSON) for the stand-in, as kubectl would read it. */
  kubeconfig(namespace = "default"): string {
    return JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      // client-node speaks plain HTTP only with this set (there is no TLS to verify).
      clusters: [{ name: "standin", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "bosun", user: { token: this.token } }],
      contexts: [{ name: "standin", context: { cluster: "standin", user: "bosun", namespace } }],
      "current-context": "standin",
    });
  }

  /** The kubeconfig written to a file in the stand-in's root; its path. */
  kubeconfigFile(namespace = "default"): string {
    const file = join(this.root, "kubeconfig");
    writeFileSync(file, this.kubeconfig(namespace));
    return file;
  }

  kubeConfig(namespace = "default"): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.kubeconfig(namespace));
    return kc;
  }

  /** Where a claim's files are on the host. */
  claimPath(namespace: string, claim: string): string {
    return join(this.root, "claims", namespace, claim);
  }

  removeClaim(namespace: string, claim: string): void {
    rmSync(this.claimPath(namespace, claim), { recursive: true, force: true });
  }

  list(resource: Resource, namespace: string, labels: Record<string, string> = {}): StandinObject[] {
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return this.store.list(resource, namespace, labelSelector(selector));
  }

  /** Waits for deletions, container removals and garbage collection still under way. */
  settled(): Promise<void> {
    return this.api.settled();
  }

  /** Pods, Secrets and containers with all these labels that still exist, once things settled. */
  async leftovers(namespace: string, labels: Record<string, string>): Promise<number> {
    await this.settled();
    const containers = await this.client.listContainers({ ...labels, [STANDIN_LABEL]: this.id });
    return (
      this.list("pods", namespace, labels).length +
      this.list("secrets", namespace, labels).length +
      containers.length
    );
  }

  /** Every container this stand-in created that still exists in Podman. */
  async containers(): Promise<number> {
    return (await this.client.listContainers({ [STANDIN_LABEL]: this.id })).length;
  }

  /** Resolves once the running pod with these labels has written `text` to its log. */
  async untilLogged(
    namespace: string,
    labels: Record<string, string>,
    text: string,
    timeoutMs = 60_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const pod of this.list("pods", namespace, labels)) {
        if (this.kubelet.log(String(pod.metadata.uid))?.toString("utf8").includes(text)) return;
      }
      await sleep(50);
    }
    throw new Error(
      `no pod with ${JSON.stringify(labels)} logged ${JSON.stringify(text)} within ${timeoutMs} ms`,
    );
  }

  /** Resolves once a pod with these labels is in the phase given. */
  async untilPhase(
    namespace: string,
    labels: Record<string, string>,
    phase: string,
    timeoutMs = 60_000,
  ): Promise<StandinObject> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const pod = this.list("pods", namespace, labels).find((p) => p.status?.phase === phase);
      if (pod) return pod;
      await sleep(20);
    }
    throw new Error(`no pod with ${JSON.stringify(labels)} reached ${phase} within ${timeoutMs} ms`);
  }

  /** Ends every open watch connection abruptly; how many there were. */
  dropWatches(): number {
    return this.api.dropWatches();
  }

  /** Ends every open `follow=true` log stream abruptly; how many there were. */
  dropLogs(): number {
    return this.api.dropLogs();
  }

  /** As after a compaction: every resourceVersion handed out so far is too old to watch from (410). */
  expireHistory(): void {
    this.store.expireHistory();
  }

  /** Deletes every pod at once (their containers go too), then stops serving. */
  async stop(): Promise<void> {
    for (const namespace of new Set(
      this.store.list("pods", undefined, () => true).map((p) => p.metadata.namespace),
    )) {
      for (const pod of this.store.list("pods", namespace, () => true)) {
        await fetch(
          `${this.url}/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
          {
            method: "DELETE",
            headers: { authorization: `Bearer ${this.token}` },
          },
        );
      }
    }
    await this.settled();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.client.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
