/**
 * Options → Kubernetes objects: one gateway Deployment and Service per registry kind,
 * the worker's Deployment and Service with its ServiceAccount, Role and RoleBinding, and the data
 * volume. Pure: the same options give the same objects.
 *
 * What the store changes (the data volume, replicas, placement, rollouts, disruption budgets) is in
 * store.ts: the embedded SQLite store pins every pod to its file's node; PostgreSQL lets them scale.
 */
import type {
  V1Container,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { CONFIG_DIR, CONFIG_FILE, DATA_DIR, PORT, type ManifestOptions } from "./options.js";
import { WORKER_RULES } from "./rbac.js";
import { DATA_CLAIM, dataVolume, disruptionBudget, placement, storeEnv, strategy } from "./store.js";

export { DATA_CLAIM } from "./store.js";

export type KubeObject =
  | V1Deployment
  | V1Service
  | V1ServiceAccount
  | V1Role
  | V1RoleBinding
  | V1PersistentVolumeClaim
  | V1PodDisruptionBudget;

export const APP = "bosun";
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

type Labels = Record<string, string>;

function labels(component: string): Labels {
  return {
    "app.kubernetes.io/name": APP,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": APP,
    "app.kubernetes.io/managed-by": "bosun-manifests",
  };
}

/** What a Deployment's and a Service's selectors match: stable, because selectors cannot change. */
function selector(component: string): Labels {
  return { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": component };
}

export function buildManifests(o: ManifestOptions): KubeObject[] {
  const objects: KubeObject[] = o.store.kind === "sqlite" ? [dataClaim(o)] : [];
  const piece = (name: string, component: string, args: string[], replicas: number) => [
    deployment(o, name, component, args, replicas),
    service(o, name, component),
    ...disruptionBudget(o, name, replicas, labels(component), selector(component)),
  ];
  for (const kind of o.gateways) {
    objects.push(...piece(gatewayName(kind), `gateway-${kind}`, ["gateway", "--registry", kind], o.replicas));
  }
  if (o.worker) {
    objects.push(...workerAccess(o), ...piece(WORKER, "worker", ["worker"], o.workerReplicas));
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

function deployment(
  o: ManifestOptions,
  name: string,
  component: string,
  command: string[],
  replicas: number,
): V1Deployment {
  const worker = component === "worker";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: o.namespace, labels: labels(component) },
    spec: {
      replicas,
      ...strategy(o),
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
        spec: podSpec(o, command, worker, selector(component)),
      },
    },
  };
}

function podSpec(
  o: ManifestOptions,
  command: string[],
  worker: boolean,
  podLabels: Record<string, string>,
): V1PodSpec {
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
    ...placement(o, podLabels),
    containers: [container(o, command, worker)],
    volumes: [
      { name: "config", secret: { secretName: o.configSecret } },
      dataVolume(o),
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
    // /readyz answers 503 while the store cannot be reached (the pod leaves the Service, and a rollout
    // waits); /healthz whenever the process serves HTTP, so a database outage restarts no pod.
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
