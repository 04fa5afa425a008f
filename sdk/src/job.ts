import { ConcurrentGroup, SerialGroup, type Runnable } from "./runnables.js";
import { currentHost } from "./host.js";
import { HostCallError, JobFailedError, JobResult } from "./job-result.js";
import type { JobReply, JobRequest, JobResources } from "./protocol.js";

/** Brigade's rule, kept so names work as container and pod names. */
const JOB_NAME = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])+$/;

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

/** Where the job may run. */
export class JobHost {
  os: string | undefined;
  name: string | undefined;
  nodeSelector: Record<string, string> = {};
}

/** One container run: its tasks run in order by `shell`, stopping at the first failure. */
export class Job {
  name: string;
  image: string | undefined;
  tasks: string[];
  args: string[] = [];
  env: Record<string, string> = {};
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
  /** When true, `run()` resolves even if the job fails: check `result.succeeded`. */
  fallible = false;
  private last: JobResult | undefined;

  constructor(name: string, image?: string, tasks?: string[]) {
    if (typeof name !== "string" || !JOB_NAME.test(name)) {
      throw new Error(
        `job name ${JSON.stringify(name)} is invalid: use letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
      );
    }
    this.name = name;
    this.image = image;
    this.tasks = tasks ? [...tasks] : [];
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
    const reply = parseReply(await currentHost().runJob(JSON.stringify(request)));
    if (!reply.ok) throw new HostCallError(reply.error.code, `job "${this.name}": ${reply.error.message}`);
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
      host: { os: this.host.os, name: this.host.name, nodeSelector: { ...this.host.nodeSelector } },
      storage: { enabled: this.storage.enabled === true, path: this.storage.path },
      cache: { enabled: this.cache.enabled === true, path: this.cache.path, size: this.cache.size },
      docker: { enabled: this.docker.enabled === true },
    };
  }
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

/** Numbers and booleans become strings; a missing value (often an unset secret) becomes "", with a warning. */
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
    } else throw new TypeError(`${at}: env ${name} must be a string, not ${typeof value}`);
  }
  return out;
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
