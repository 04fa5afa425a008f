/**
 * JobSpec → the Pod (and the per-job Secret holding its environment) the kubernetes executor creates.
 * Pure: the same spec and options give the same objects, so the mapping can be read, tested and
 * validated against the official schemas without a cluster.
 *
 * Env values live only in the Secret; the Pod refers to them by key, so they never appear in the Pod
 * object (`kubectl get pod -o yaml`, events, audit logs of pod writes). The Secret is created first
 * and cannot name its owner yet: the executor sets its ownerReference to the Pod once the Pod
 * exists (and has a uid), so deleting the Pod deletes the Secret too.
 *
 * Sidecars (`spec.sidecars`) are native sidecar containers: init containers with `restartPolicy:
 * Always` (Kubernetes 1.29 and later), started before the job's container, in the same pod so on its
 * network (127.0.0.1), and stopped by the kubelet once the job's container has ended; the pod's phase
 * is the job's. Their environment is in the same Secret, under keys of their own.
 *
 * A job with the project's registry logins (`registryCredentials`) gets a second per-job Secret, of type
 * `kubernetes.io/dockerconfigjson`, holding the login for its image's registry; the Pod lists it in
 * `imagePullSecrets` with the configured ones, and it is owned by the Pod in the same way.
 */
import type { JobSpec } from "@bosun/core";
import type { JobSidecar } from "@bosun/core";
import type {
  V1Container,
  V1EnvVar,
  V1Pod,
  V1ResourceRequirements,
  V1Secret,
  V1Toleration,
} from "@kubernetes/client-node";
import { parseImageRef } from "../docker/image-ref.js";
import { dockerConfigJson, loginFor } from "../registry-login.js";
import { PodSpecError } from "./errors.js";
import { labelKey, labelValue, objectName, sanitiseLabels } from "./names.js";
import { volumesFor } from "./volumes.js";

export interface KubernetesPodOptions {
  namespace: string;
  /** Used when the job names no service account. Without either, no API token is mounted. */
  serviceAccountName?: string;
  /** Added to every pod (e.g. the registry credentials of the whole installation). */
  imagePullSecrets?: string[];
  /** Added to every pod; the job's own `host.nodeSelector` wins on conflicts. */
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  /** PersistentVolumeClaim holding run workspaces (Brigade `storage`), one subPath per project and run. */
  workspaceClaim?: string;
  /** PersistentVolumeClaim holding caches (Brigade `cache`), one subPath per project and job. */
  cacheClaim?: string;
  /**
   * Folders of the worker that are PersistentVolumeClaims mounted in its own pod. A job mount whose
   * source lies in one (a Dispatchfile task's workspace under the data dir) mounts that claim, with
   * the rest of the path as subPath: the job's pod sees the files the worker wrote there.
   */
  pathClaims?: readonly { path: string; claim: string }[];
  /** Mixed into the name's hash, so a retried job gets a fresh pod name. */
  nonce?: string;
}

export const CONTAINER_NAME = "job";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "bosun" } as const;
/** Present when some label had to be changed to be valid: the labels exactly as given, as JSON. */
export const ORIGINAL_LABELS_ANNOTATION = "bosun.dev/labels";
export const JOB_NAME_ANNOTATION = "bosun.dev/job-name";

/** Where a job belongs: from the labels the launcher sets, the job's own name otherwise. */
export function jobIdentity(spec: JobSpec): { project: string; run: string; job: string } {
  return {
    project: spec.labels["bosun.project"] ?? "",
    run: spec.labels["bosun.run"] ?? "",
    job: spec.labels["bosun.job"] ?? spec.name,
  };
}

/** What one job becomes: its Pod, and the per-job Secrets the Pod refers to (created before it). */
export interface PodObjects {
  pod: V1Pod;
  /** The job's environment (type Opaque), when it has any. */
  secret?: V1Secret;
  /** The project's login for the image's registry (type kubernetes.io/dockerconfigjson), when it has one. */
  pullSecret?: V1Secret;
}

export function toPod(spec: JobSpec, options: KubernetesPodOptions): PodObjects {
  const id = jobIdentity(spec);
  const name = objectName("bosun", [id.project, id.run, spec.name], [id, spec.name, options.nonce ?? ""]);
  const labels = {
    ...sanitiseLabels(spec.labels),
    "bosun.project": labelValue(id.project),
    "bosun.run": labelValue(id.run),
    "bosun.job": labelValue(id.job),
    ...MANAGED_BY,
  };
  const secretName = `${name}-env`;
  const { env, secret, sidecarEnv } = environment(spec, secretName, options.namespace, labels);
  const pullSecret = registrySecret(spec, `${name}-pull`, options.namespace, labels);
  const { volumes, volumeMounts } = volumesFor(spec, id, options);
  const container: V1Container = {
    name: CONTAINER_NAME,
    image: spec.image,
    ...command(spec),
    ...(spec.imageForcePull ? { imagePullPolicy: "Always" } : {}),
    ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    ...resources(spec),
    ...(spec.privileged ? { securityContext: { privileged: true } } : {}),
  };
  const sidecars = (spec.sidecars ?? []).map((sidecar, i) =>
    sidecarContainer(sidecar, sidecarEnv[i] ?? [], volumeMounts),
  );
  const serviceAccountName = spec.serviceAccount ?? options.serviceAccountName;
  const pullSecrets = [
    ...new Set([
      ...(options.imagePullSecrets ?? []),
      ...(spec.imagePullSecrets ?? []),
      ...(pullSecret?.metadata?.name ? [pullSecret.metadata.name] : []),
    ]),
  ];
  const nodeSelector = { ...options.nodeSelector, ...nodeSelectorOf(spec) };
  const pod: V1Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: options.namespace, labels, annotations: annotations(spec, labels) },
    spec: {
      restartPolicy: "Never",
      ...(sidecars.length > 0 ? { initContainers: sidecars } : {}),
      containers: [container],
      // Service links would put every Service of the namespace into the job's environment.
      enableServiceLinks: false,
      ...(serviceAccountName ? { serviceAccountName } : { automountServiceAccountToken: false }),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((n) => ({ name: n })) } : {}),
      ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
      ...(options.tolerations?.length ? { tolerations: options.tolerations } : {}),
      ...(spec.timeoutMs ? { activeDeadlineSeconds: Math.max(1, Math.ceil(spec.timeoutMs / 1000)) } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
  return { pod, ...(secret ? { secret } : {}), ...(pullSecret ? { pullSecret } : {}) };
}

/** A sidecar as a native sidecar container: the job's mounts, its own command and environment. */
function sidecarContainer(sidecar: JobSidecar, env: V1EnvVar[], volumeMounts: V1Container["volumeMounts"]) {
  if (sidecar.name === CONTAINER_NAME) {
    throw new PodSpecError(`sidecar name "${CONTAINER_NAME}" is the job's own container: name it otherwise`);
  }
  const container: V1Container = {
    name: sidecar.name,
    image: sidecar.image,
    restartPolicy: "Always",
    ...(sidecar.command?.length ? { command: literal(sidecar.command) } : {}),
    ...(sidecar.args?.length ? { args: literal(sidecar.args) } : {}),
    ...(sidecar.imageForcePull ? { imagePullPolicy: "Always" } : {}),
    ...(sidecar.workingDir ? { workingDir: sidecar.workingDir } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(volumeMounts && volumeMounts.length > 0 ? { volumeMounts } : {}),
    ...(sidecar.privileged ? { securityContext: { privileged: true } } : {}),
  };
  return container;
}

function command(spec: JobSpec): Pick<V1Container, "command" | "args"> {
  // `-e` stops at the first failing task, as in the other executors.
  if (spec.tasks.length > 0)
    return { command: literal([spec.shell ?? "/bin/sh", "-e", "-c", spec.tasks.join("\n")]) };
  if (spec.command && spec.command.length > 0) {
    return {
      command: literal(spec.command),
      ...(spec.args && spec.args.length > 0 ? { args: literal(spec.args) } : {}),
    };
  }
  if (spec.args && spec.args.length > 0) return { args: literal(spec.args) };
  return {};
}

/**
 * Kubernetes expands `$(NAME)` in command and args from the container's env, and turns `$$` into `$`,
 * before the process starts; the other executors pass them as written. `$$` everywhere keeps them so.
 */
function literal(words: readonly string[]): string[] {
  return words.map((w) => w.replaceAll("$", "$$$$"));
}

/**
 * Every variable comes from the Secret: the job's under their own names when those are valid Secret
 * keys, each sidecar's under `sidecar-<i>-<name>`.
 */
function environment(
  spec: JobSpec,
  secretName: string,
  namespace: string,
  labels: Record<string, string>,
): { env: V1EnvVar[]; secret?: V1Secret; sidecarEnv: V1EnvVar[][] } {
  const data: Record<string, string> = {};
  const refer = (entries: [string, string][], keyOf: (name: string, i: number) => string): V1EnvVar[] =>
    entries.map(([name, value], i): V1EnvVar => {
      const wanted = keyOf(name, i);
      const key =
        /^[-._a-zA-Z0-9]{1,253}$/.test(wanted) && !(wanted in data)
          ? wanted
          : `env-${Object.keys(data).length}`;
      data[key] = Buffer.from(value, "utf8").toString("base64");
      return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
    });
  const env = refer(Object.entries(spec.env), (name) => name);
  const sidecarEnv = (spec.sidecars ?? []).map((sidecar, s) =>
    refer(Object.entries(sidecar.env), (name) => `sidecar-${s}-${name}`),
  );
  if (Object.keys(data).length === 0) return { env, sidecarEnv };
  const secret: V1Secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace, labels },
    type: "Opaque",
    immutable: true,
    data,
  };
  return { env, secret, sidecarEnv };
}

/** The login for the image's registry as an imagePullSecret; none when the project has no login there. */
function registrySecret(
  spec: JobSpec,
  secretName: string,
  namespace: string,
  labels: Record<string, string>,
): V1Secret | undefined {
  const login = loginFor(spec.registryCredentials, parseImageRef(spec.image).registry);
  if (!login) return undefined;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace, labels },
    type: "kubernetes.io/dockerconfigjson",
    immutable: true,
    data: { ".dockerconfigjson": Buffer.from(dockerConfigJson([login]), "utf8").toString("base64") },
  };
}

function resources(spec: JobSpec): { resources?: V1ResourceRequirements } {
  const pick = (r: { cpu?: string; memory?: string } | undefined) => {
    const out: Record<string, string> = {};
    if (r?.cpu) out.cpu = r.cpu;
    if (r?.memory) out.memory = r.memory;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const requests = pick(spec.resourceRequests);
  const limits = pick(spec.resourceLimits);
  if (!requests && !limits) return {};
  return { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } };
}

/** Brigade's `host`: an OS and a node name select nodes by their well-known labels. */
function nodeSelectorOf(spec: JobSpec): Record<string, string> {
  const selector: Record<string, string> = {};
  if (spec.host?.os) selector["kubernetes.io/os"] = spec.host.os;
  if (spec.host?.name) selector["kubernetes.io/hostname"] = spec.host.name;
  for (const [key, value] of Object.entries(spec.host?.nodeSelector ?? {})) {
    // A selector that was changed to be valid would quietly pick other nodes: refuse it instead.
    if (labelKey(key) !== key || labelValue(value) !== value) {
      throw new PodSpecError(`host.nodeSelector ${JSON.stringify(`${key}=${value}`)} is not a valid label`);
    }
    selector[key] = value;
  }
  return selector;
}

function annotations(spec: JobSpec, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.annotations ?? {})) {
    if (labelKey(key) !== key) throw new PodSpecError(`annotation key ${JSON.stringify(key)} is not valid`);
    out[key] = value;
  }
  out[JOB_NAME_ANNOTATION] = spec.name;
  if (Object.entries(spec.labels).some(([k, v]) => labels[k] !== v)) {
    out[ORIGINAL_LABELS_ANNOTATION] = JSON.stringify(spec.labels);
  }
  return out;
}
