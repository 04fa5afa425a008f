import { Container } from "./container.js";
import { ConcurrentGroup, SerialGroup, type Runnable } from "./runnables.js";
import { currentProject } from "./current.js";
import { currentHost } from "./host.js";
import { HostCallError, JobFailedError, JobResult } from "./job-result.js";
import { isJobName, JOB_NAME_RULE } from "./job-name.js";
import type { JobReply, JobRequest, JobResources, SidecarRequest } from "./protocol.js";

export const STORAGE_PATH = "/mnt/brigade/share";
export const CACHE_PATH = "/mnt/brigade/cache";

/** Build-wide storage shared by the jobs of one run. */
export class JobStorage {
  enabled = false;
  path = STORAGE_PATH;
}

/** A per-job cache that survives across runs. */
export class JobCache {
  enabled = false;
  path = CACHE_PATH;
  size = "5Mi";
}

/** Mounts the host's Docker socket (when the project allows it). */
export class JobDockerMount {
  enabled = false;
}

/** Where the job may run. `nodeSelector` is a Map, as in Brigade; a plain object works too. */
export class JobHost {
  os: string | undefined;
  name: string | undefined;
  nodeSelector: Map<string, string> = new Map();
}

/** Brigade's value references for `env`; only `secretKeyRef` means something to Bosun. */
export interface EnvVarSource {
  secretKeyRef?: { name?: string; key: string; optional?: boolean };
  configMapKeyRef?: unknown;
  fieldRef?: unknown;
  resourceFieldRef?: unknown;
}

/** Brigade's Kubernetes volume and mount pair (`job.volumeConfig`), which Bosun does not mount. */
export interface JobVolumeConfig {
  mount?: unknown;
  volume?: unknown;
}

/** One container run: its tasks run in order by `shell`, stopping at the first failure. */
export class Job {
  name: string;
  image: string | undefined;
  tasks: string[];
  args: string[] = [];
  /** Values are strings, or `{ secretKeyRef: { name, key } }` for the project secret named `key`. */
  env: Record<string, string | EnvVarSource> = {};
  shell = "/bin/sh";
  /** Milliseconds; the project's job timeout when unset. */
  timeout: number | undefined;
  privileged = false;
  imagePullSecrets: string[] = [];
  imageForcePull = false;
  streamLogs = false;
  serviceAccount: string | undefined;
  annotations: Record<string, string> = {};
  resourceRequests: JobResources = {};
  resourceLimits: JobResources = {};
  host = new JobHost();
  storage = new JobStorage();
  cache = new JobCache();
  docker = new JobDockerMount();
  /** Brigade's source checkout: Bosun jobs get none, so these two are accepted and have no effect. */
  useSource = true;
  mountPath = "/src";
  /** Brigade's extra Kubernetes volumes: refused when not empty (use `storage` or `cache`). */
  volumeConfig: JobVolumeConfig[] = [];
  volumes: unknown[] = [];
  volumeMounts: unknown[] = [];
  /** Brigade v2: containers run beside the job's own, sharing its network (reachable on 127.0.0.1). */
  sidecarContainers: Record<string, Container> = {};
  /** Brigade v2: the event the job was made for (`new Job(name, image, event)`), when one was given. */
  readonly event: unknown;
  /** When true, `run()` resolves even if the job fails: check `result.succeeded`. */
  fallible = false;
  private last: JobResult | undefined;
  private recordedName = "";
  private primary: Container;

  /**
   * v1: `new Job(name, image?, tasks?, imageForcePull?)`; v2: `new Job(name, image, event)`. The third
   * argument decides: an array is v1's tasks, an object (not an array) is v2's event.
   */
  constructor(name: string, image?: string, tasksOrEvent?: string[] | object, imageForcePull?: boolean) {
    if (!isJobName(name)) {
      const shown = typeof name === "string" && name.length > 80 ? `${name.slice(0, 80)}…` : name;
      throw new Error(`job name ${JSON.stringify(shown)} is invalid: use ${JOB_NAME_RULE}`);
    }
    this.name = name;
    this.image = image;
    if (tasksOrEvent !== undefined && tasksOrEvent !== null && typeof tasksOrEvent !== "object")
      throw new TypeError(
        `job "${name}": the third argument must be the tasks (an array, v1) or the event (an object, v2), not ${kind(tasksOrEvent)}`,
      );
    const tasks = Array.isArray(tasksOrEvent) ? (tasksOrEvent as string[]) : undefined;
    this.event = tasks === undefined ? (tasksOrEvent ?? undefined) : undefined;
    this.tasks = tasks ? [...tasks] : [];
    this.imageForcePull = imageForcePull === true;
    this.primary = primaryContainerOf(this);
  }

  /** Brigade v2: the job's own container; its image, environment, arguments... are the Job's own. */
  get primaryContainer(): Container {
    return this.primary;
  }

  /** A Container put in its place gives the Job its values. */
  set primaryContainer(container: Container) {
    if (typeof container !== "object" || container === null)
      throw new TypeError(`job "${this.name}": primaryContainer must be a Container, not ${kind(container)}`);
    this.primary = primaryContainerOf(this);
    Object.assign(this.primary, container);
  }

  /** Brigade v2's timeout, in seconds (the same setting as v1's `timeout` in milliseconds). */
  get timeoutSeconds(): number | undefined {
    return this.timeout === undefined ? undefined : this.timeout / 1000;
  }

  set timeoutSeconds(seconds: number | undefined) {
    this.timeout = seconds === undefined || seconds === null ? undefined : seconds * 1000;
  }

  /** The name the job is recorded under in the run ("" before `run()`; "-2", "-3" added for repeats). */
  get podName(): string {
    return this.recordedName;
  }

  /** Brigade v2: runs jobs and groups one after another, stopping at the first failure. */
  static sequence(...runnables: Runnable[]): SerialGroup {
    return new SerialGroup(...runnables);
  }

  /** Brigade v2: runs jobs and groups at once, failing when any of them fails. */
  static concurrent(...runnables: Runnable[]): ConcurrentGroup {
    return new ConcurrentGroup(...runnables);
  }

  /** Runs the job; resolves with its result, rejects with a JobFailedError when it does not succeed. */
  async run(): Promise<JobResult> {
    const request = this.toRequest();
    this.recordedName = request.name;
    const reply = parseReply(await currentHost().runJob(JSON.stringify(request)));
    if (!reply.ok) throw new HostCallError(reply.error.code, `job "${this.name}": ${reply.error.message}`);
    if (typeof reply.result.name === "string") this.recordedName = reply.result.name;
    const result = new JobResult(this.name, reply.result);
    this.last = result;
    if (!result.succeeded && !this.fallible) throw new JobFailedError(result, request.timeoutMs);
    return result;
  }

  /** The output of the last run ("" before the job has finished once). */
  async logs(): Promise<string> {
    return this.last?.output ?? "";
  }

  /** The job as data, as it is sent to the host. Throws a TypeError naming what is wrong. */
  toRequest(): JobRequest {
    const at = `job "${this.name}"`;
    if (typeof this.image !== "string" || this.image.trim() === "") {
      throw new TypeError(`${at} has no image: pass one to new Job(name, image) or set job.image`);
    }
    checkIgnored(this, at);
    const primary = this.primary;
    const storage = { enabled: this.storage.enabled === true, path: this.storage.path };
    if (typeof primary.workspaceMountPath === "string" && primary.workspaceMountPath !== "")
      Object.assign(storage, { enabled: true, path: primary.workspaceMountPath });
    const command = strings(primary.command, `${at}: primaryContainer.command`);
    return {
      name: this.name,
      image: this.image,
      tasks: strings(this.tasks, `${at}: tasks`),
      args: strings(this.args, `${at}: args`),
      env: envOf(this.env, at),
      shell: this.shell,
      timeoutMs: this.timeout,
      privileged: this.privileged === true,
      imagePullSecrets: strings(this.imagePullSecrets, `${at}: imagePullSecrets`),
      imageForcePull: this.imageForcePull === true,
      streamLogs: this.streamLogs === true,
      serviceAccount: this.serviceAccount,
      annotations: { ...this.annotations },
      resourceRequests: { ...this.resourceRequests },
      resourceLimits: { ...this.resourceLimits },
      host: {
        os: this.host.os,
        name: this.host.name,
        nodeSelector: selectorOf(this.host.nodeSelector, `${at}: host.nodeSelector`),
      },
      storage,
      cache: { enabled: this.cache.enabled === true, path: this.cache.path, size: this.cache.size },
      docker: { enabled: this.docker.enabled === true },
      ...(command.length > 0 ? { command } : {}),
      ...(primary.workingDirectory ? { workingDir: String(primary.workingDirectory) } : {}),
      sidecars: sidecarsOf(this.sidecarContainers, at),
    };
  }
}

/** The primary container's v2 fields that are the Job's v1 ones, as accessors onto the Job. */
function primaryContainerOf(job: Job): Container {
  const container = new Container();
  const alias = <K extends keyof Container>(
    key: K,
    get: () => Container[K],
    set: (v: Container[K]) => void,
  ) => Object.defineProperty(container, key, { get, set, enumerable: true, configurable: true });
  alias(
    "image",
    () => job.image ?? "",
    (v) => (job.image = v),
  );
  alias(
    "environment",
    () => job.env,
    (v) => (job.env = v),
  );
  alias(
    "arguments",
    () => job.args,
    (v) => (job.args = v),
  );
  alias(
    "privileged",
    () => job.privileged,
    (v) => (job.privileged = v),
  );
  alias(
    "imagePullPolicy",
    () => (job.imageForcePull ? "Always" : "IfNotPresent"),
    (v) => (job.imageForcePull = v === "Always"),
  );
  alias(
    "useHostDockerSocket",
    () => job.docker.enabled,
    (v) => (job.docker.enabled = v),
  );
  return container;
}

function sidecarsOf(sidecars: unknown, at: string): SidecarRequest[] {
  if (sidecars === undefined || sidecars === null) return [];
  if (typeof sidecars !== "object" || Array.isArray(sidecars))
    throw new TypeError(
      `${at}: sidecarContainers must be an object of name → Container, not ${kind(sidecars)}`,
    );
  return Object.entries(sidecars).map(([name, c]) => {
    const where = `${at}: sidecarContainers.${name}`;
    if (typeof c !== "object" || c === null)
      throw new TypeError(`${where} must be a Container, not ${kind(c)}`);
    const container = c as Partial<Container>;
    if (typeof container.image !== "string" || container.image.trim() === "")
      throw new TypeError(`${where} has no image: pass one to new Container(image)`);
    return {
      name,
      image: container.image,
      command: strings(container.command, `${where}.command`),
      args: strings(container.arguments, `${where}.arguments`),
      env: envOf(container.environment, where),
      ...(container.workingDirectory ? { workingDir: String(container.workingDirectory) } : {}),
      privileged: container.privileged === true,
      imageForcePull: container.imagePullPolicy === "Always",
    };
  });
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array of strings`);
  return value.map((v, i) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw new TypeError(`${what}[${i}] must be a string, not ${typeof v}`);
  });
}

/**
 * Numbers and booleans become strings; a missing value (often an unset secret) becomes "", with a
 * warning; `{ secretKeyRef: { key } }` becomes the project secret named `key`.
 */
function envOf(env: unknown, at: string): Record<string, string> {
  if (env === undefined || env === null) return {};
  if (typeof env !== "object" || Array.isArray(env)) throw new TypeError(`${at}: env must be an object`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string") out[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
    else if (value === undefined || value === null) {
      currentHost().log("warn", `${at}: env ${name} is ${String(value)}; the job gets an empty string`);
      out[name] = "";
    } else if (typeof value === "object" && !Array.isArray(value)) {
      out[name] = fromReference(value as Record<string, unknown>, `${at}: env.${name}`);
    } else throw new TypeError(`${at}: env ${name} must be a string, not ${typeof value}`);
  }
  return out;
}

const KUBERNETES_ONLY = ["configMapKeyRef", "fieldRef", "resourceFieldRef"];

/** The project's secrets stand in for the Kubernetes Secrets a `secretKeyRef` names. */
function fromReference(ref: Record<string, unknown>, at: string): string {
  const selector = ref.secretKeyRef;
  if (selector !== undefined) {
    if (typeof selector !== "object" || selector === null || Array.isArray(selector))
      throw new TypeError(`${at}: secretKeyRef must be an object like { name, key }, not ${kind(selector)}`);
    const { name, key, optional } = selector as { name?: unknown; key?: unknown; optional?: unknown };
    if (typeof key !== "string" || key === "")
      throw new TypeError(`${at}: secretKeyRef.key must name one of the project's secrets, not ${kind(key)}`);
    // As for Dispatchfile steps: the project secret "name/key" when there is one, else "key".
    const secrets = currentProject()?.secrets ?? {};
    const scoped = typeof name === "string" && name !== "" ? `${name}/${key}` : undefined;
    const value = (scoped === undefined ? undefined : secrets[scoped]) ?? secrets[key];
    if (value !== undefined) return value;
    if (optional === true) return "";
    const names = scoped === undefined ? `"${key}"` : `"${scoped}" or "${key}"`;
    throw new TypeError(
      `${at}: secretKeyRef names the secret ${names}, which the project does not have: add it to the project's secrets (its value is redacted from logs like every project secret)`,
    );
  }
  const used = KUBERNETES_ONLY.find((k) => ref[k] !== undefined);
  if (used)
    throw new TypeError(
      `${at}: ${used} reads a Kubernetes object, which Bosun does not do: set the value itself (p.secrets.NAME for a secret)`,
    );
  throw new TypeError(
    `${at}: expected a string or { secretKeyRef: { name, key } }, found an object with ${Object.keys(ref).length ? `keys ${Object.keys(ref).join(", ")}` : "no keys"}`,
  );
}

/** Brigade's node selector is a Map; a plain object (or a Map with properties set on it) works too. */
function selectorOf(selector: unknown, at: string): Record<string, string> {
  if (selector === undefined || selector === null) return {};
  if (typeof selector !== "object" || Array.isArray(selector))
    throw new TypeError(`${at} must be a Map or an object of strings, not ${kind(selector)}`);
  const entries: [unknown, unknown][] = Object.entries(selector);
  if (selector instanceof Map) entries.push(...(selector as Map<unknown, unknown>).entries());
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value === "string") out[String(key)] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[String(key)] = String(value);
    else throw new TypeError(`${at}: ${String(key)} must be a string, not ${kind(value)}`);
  }
  return out;
}

/** Brigade settings Bosun accepts without effect: type-checked; volumes are refused. */
function checkIgnored(job: Job, at: string): void {
  if (typeof job.useSource !== "boolean")
    throw new TypeError(`${at}: useSource must be true or false, not ${kind(job.useSource)}`);
  if (typeof job.mountPath !== "string")
    throw new TypeError(`${at}: mountPath must be a string, not ${kind(job.mountPath)}`);
  const volumes = [
    ["volumeConfig", job.volumeConfig],
    ["volumes", job.volumes],
    ["volumeMounts", job.volumeMounts],
  ] as const;
  for (const [field, value] of volumes) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    throw new TypeError(
      `${at}: ${field} asks for Kubernetes volumes, which Bosun does not mount: use job.storage (a workspace shared by the run's jobs) or job.cache (kept across runs)`,
    );
  }
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "string" ? JSON.stringify(v) : typeof v;
}

function parseReply(json: string): JobReply {
  try {
    const reply = JSON.parse(json) as JobReply;
    if (reply && typeof reply === "object" && typeof reply.ok === "boolean") return reply;
  } catch {
    // fall through: a malformed reply is reported below
  }
  return { ok: false, error: { code: "INTERNAL", message: "the host sent a malformed job reply" } };
}
