/**
 * Options → Kubernetes objects: one gateway Deployment and Service per registry kind,
 * the worker's Deployment and Service with its ServiceAccount, Role and RoleBinding, and the data
 * volume. Pure: the same options give the same objects.
 *
 * With the embedded SQLite store (the default), the store is one file on a ReadWriteOnce volume that
 * every Bosun pod mounts. Processes may share that file only on one machine, so every Deployment runs
 * one replica and every Bosun pod is scheduled beside the others (pod affinity on the node).
 *
 * With PostgreSQL (--store postgres), the URL comes from a Secret, there is no volume for state, and
 * each Deployment runs as many replicas as asked: spread across nodes, rolled one at a time, and
 * with more than one replica a PodDisruptionBudget keeping one up.
 */
import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { labels, selector } from "./labels.js";
import { podPlacement, rollout } from "./placement.js";
import { CONFIG_DIR, CONFIG_FILE, DATA_DIR, PORT, type ManifestOptions } from "./options.js";
import { WORKER_RULES } from "./rbac.js";

export type KubeObject =
  | V1Deployment
  | V1Service
  | V1ServiceAccount
  | V1Role
  | V1RoleBinding
  | V1PersistentVolumeClaim
  | V1PodDisruptionBudget;

export const DATA_CLAIM = "bosun-data";
export const WORKER = "bosun-worker";
/** The Role and RoleBinding that let the worker run job pods. */
export const WORKER_JOBS = "bosun-worker-jobs";
/**
 * A fixed, unprivileged user: Bosun's image has it as user bosun (scripts/build-image.sh), another
 * image needs no entry for it, and the data volume is its group's.
 */
const UID = 10001;

export function gatewayName(kind: string): string {
  return `bosun-gateway-${kind}`;
}

export function buildManifests(o: ManifestOptions): KubeObject[] {
  const objects: KubeObject[] = o.store === "sqlite" ? [dataClaim(o)] : [];
  for (const kind of o.gateways) {
    const component = `gateway-${kind}`;
    const args = ["gateway", "--registry", kind];
    const name = gatewayName(kind);
    objects.push(deployment(o, name, component, args, o.gatewayReplicas), service(o, name, component));
    objects.push(...disruptionBudget(o, name, component, o.gatewayReplicas));
  }
  if (o.worker) {
    objects.push(...workerAccess(o));
    const replicas = o.workerReplicas;
    objects.push(deployment(o, WORKER, "worker", ["worker"], replicas), service(o, WORKER, "worker"));
    objects.push(...disruptionBudget(o, WORKER, "worker", replicas));
  }
  return objects;
}

function dataClaim(o: ManifestOptions): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: DATA_CLAIM, namespace: o.namespace, labels: labels("data") },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: o.storageSize } },
    },
  };
}

function workerAccess(o: ManifestOptions): KubeObject[] {
  const jobsNamespace = o.jobsNamespace ?? o.namespace;
  const account: V1ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: WORKER, namespace: o.namespace, labels: labels("worker") },
  };
  const role: V1Role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: WORKER_JOBS, namespace: jobsNamespace, labels: labels("worker") },
    rules: WORKER_RULES.map((rule) => ({ ...rule })),
  };
  const binding: V1RoleBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: WORKER_JOBS, namespace: jobsNamespace, labels: labels("worker") },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: WORKER_JOBS },
    subjects: [{ kind: "ServiceAccount", name: WORKER, namespace: o.namespace }],
  };
  return [account, role, binding];
}

/** With more than one replica, voluntary disruptions (node drains) leave at least one running. */
function disruptionBudget(
  o: ManifestOptions,
  name: string,
  component: string,
  replicas: number,
): V1PodDisruptionBudget[] {
  if (replicas < 2) return [];
  return [
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace: o.namespace, labels: labels(component) },
      spec: { minAvailable: 1, selector: { matchLabels: selector(component) } },
    },
  ];
}

function deployment(
  o: ManifestOptions,
  name: string,
  component: string,
  command: string[],
  replicas: number,
): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: o.namespace, labels: labels(component) },
    spec: {
      replicas,
      ...rollout(o),
      selector: { matchLabels: selector(component) },
      template: {
        metadata: {
          labels: labels(component),
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: podSpec(o, command, component),
      },
    },
  };
}

function podSpec(o: ManifestOptions, command: string[], component: string): V1PodSpec {
  const worker = component === "worker";
  return {
    // Only the worker talks to the API server (to run job pods); gateways get no token at all.
    ...(worker ? { serviceAccountName: WORKER } : {}),
    automountServiceAccountToken: worker,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: UID,
      runAsGroup: UID,
      fsGroup: UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...podPlacement(o, component),
    containers: [container(o, command, worker)],
    volumes: [
      { name: "config", secret: { secretName: o.configSecret } },
      // With PostgreSQL the data directory holds only scratch files (script bundles, git checkouts).
      o.store === "sqlite"
        ? { name: "data", persistentVolumeClaim: { claimName: DATA_CLAIM } }
        : { name: "data", emptyDir: {} },
      // The root filesystem is read-only; git and temporary files go here.
      { name: "tmp", emptyDir: {} },
    ],
  };
}

function container(o: ManifestOptions, command: string[], worker: boolean): V1Container {
  return {
    name: "bosun",
    image: o.image,
    command: ["bosun"],
    args: [
      ...command,
      "--config",
      CONFIG_FILE,
      "--data",
      DATA_DIR,
      "--host",
      "0.0.0.0",
      "--port",
      String(PORT),
    ],
    env: [{ name: "HOME", value: "/tmp" }, { name: "TMPDIR", value: "/tmp" }, ...storeEnv(o)],
    ports: [{ name: "http", containerPort: PORT, protocol: "TCP" }],
    // /readyz answers 503 while the store cannot be reached, so an outage takes pods out of their
    // Service; /healthz answers whenever the process serves HTTP, so an outage restarts nothing.
    readinessProbe: {
      httpGet: { path: "/readyz", port: "http" },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: "/healthz", port: "http" },
      initialDelaySeconds: 10,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    // The worker holds a sandbox per script in flight (sandbox.memoryMb each, worker.maxRuns of them).
    resources: worker
      ? { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } }
      : { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [
      { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      { name: "data", mountPath: DATA_DIR },
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

/** The PostgreSQL URL, password included, from its Secret: never in the manifests themselves. */
function storeEnv(o: ManifestOptions): V1EnvVar[] {
  if (o.store === "sqlite") return [];
  const { name, key } = o.storeSecret;
  return [{ name: "BOSUN_STORE_URL", valueFrom: { secretKeyRef: { name, key } } }];
}

function service(o: ManifestOptions, name: string, component: string): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: o.namespace, labels: labels(component) },
    spec: {
      type: "ClusterIP",
      selector: selector(component),
      ports: [{ name: "http", port: PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
}
