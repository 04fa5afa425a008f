/**
 * Checks a JobRequest from the isolate field by field and turns it into core's JobSpec, field by
 * field: the one place a script's job becomes what executors read. The script may call the host
 * function directly with anything, so every limit the SDK applies is applied here again.
 */
import {
  CACHE_PATH,
  isJobName,
  JOB_NAME_RULE,
  MAX_JOB_NAME,
  STORAGE_PATH,
  type JobRequest,
} from "@bosun/sdk";
import type { JobSidecar, JobSpec, Result } from "@bosun/core";
import { kindOf, show } from "./refuse.js";
import {
  bool,
  Invalid,
  object,
  optionalString,
  record,
  string,
  strings,
  type StringRule,
} from "./request-fields.js";

/** The whole request, in UTF-8 bytes. */
export const MAX_REQUEST_BYTES = 512 * 1024;
const MAX_TEXT = 64 * 1024;
// setTimeout's largest delay; a larger one would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const TEXT: StringRule = { max: MAX_TEXT };
// An image reference: registry, path, tag and digest characters only (no spaces, quotes or controls).
const IMAGE: StringRule = {
  max: 512,
  pattern: /^[A-Za-z0-9][-A-Za-z0-9._/:@+]*$/,
  expected: "an image reference like alpine:3.20",
};
// Kubernetes' rule for environment variable names, which Brigade's jobs lived by: "-" and "." too.
const ENV_NAME: StringRule = {
  max: 253,
  pattern: /^[-._A-Za-z][-._A-Za-z0-9]*$/,
  expected: 'letters, digits, "_", "-" and ".", not starting with a digit',
};
const PATH: StringRule = { max: 1024, pattern: /^\//, expected: "an absolute path" };
const NAME: StringRule = { max: 253 };
const SHELL: StringRule = { max: 1024 };
// Kubernetes' quantity shape, with the unit or exponent kept to a few characters.
const QUANTITY: StringRule = {
  max: 32,
  pattern: /^[+-]?[0-9.]+(?:[eE][-+]?[0-9]+|[A-Za-z]{0,2})$/,
  expected: 'a quantity like "500m", "1" or "256Mi"',
};
const LABEL_KEY: StringRule = { max: 317 };
const MAX_ENV = 1000;
const MAX_SIDECARS = 10;
// A container name in a pod (a DNS label), which the docker executor uses in container names too.
const SIDECAR_NAME: StringRule = {
  max: 63,
  pattern: /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/,
  expected: 'lower-case letters, digits and "-", starting and ending with a letter or digit',
};
const MAX_LABELS = 100;

type Fields = Partial<Record<keyof JobRequest, unknown>>;

export function parseJobRequest(json: unknown): Result<JobSpec> {
  if (typeof json !== "string")
    return refused(new Invalid("runJob", "the job as a JSON string", kindOf(json)));
  // A UTF-16 unit is at most 3 UTF-8 bytes: the cheap length check first, the exact one after it.
  if (json.length > MAX_REQUEST_BYTES || Buffer.byteLength(json) > MAX_REQUEST_BYTES)
    return refused(new Invalid("runJob", `a job of at most ${MAX_REQUEST_BYTES} bytes`, "a larger one"));
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return refused(new Invalid("runJob", "the job as JSON", "text that is not JSON"));
  }
  try {
    return { value: toSpec(object(raw, "job") as Fields) };
  } catch (e) {
    if (e instanceof Invalid) return refused(e);
    throw e;
  }
}

function refused({ message, path, expected, found }: Invalid): Result<never> {
  return { errors: [{ code: "HOST_CALL_INVALID", message, path, expected, found }] };
}

function toSpec(r: Fields): JobSpec {
  const name = string(r.name, "job.name", { max: MAX_JOB_NAME });
  if (!isJobName(name)) throw new Invalid("job.name", JOB_NAME_RULE, show(name));
  const image = string(r.image, "job.image", IMAGE);
  const host = object(r.host ?? {}, "job.host");
  const storage = object(r.storage ?? {}, "job.storage");
  const cache = object(r.cache ?? {}, "job.cache");
  const first = {
    name,
    image,
    tasks: strings(r.tasks ?? [], "job.tasks", TEXT),
    args: strings(r.args ?? [], "job.args", TEXT),
    env: record(r.env ?? {}, "job.env", ENV_NAME, TEXT, MAX_ENV),
    shell: string(r.shell ?? "/bin/sh", "job.shell", SHELL),
    privileged: bool(r.privileged, "job.privileged"),
    labels: {},
    imagePullSecrets: strings(r.imagePullSecrets ?? [], "job.imagePullSecrets", NAME, MAX_LABELS),
    imageForcePull: bool(r.imageForcePull, "job.imageForcePull"),
  };
  // Checked in the request's order, and not carried: a job's output is always streamed to the run's log.
  bool(r.streamLogs, "job.streamLogs");
  const spec: JobSpec = {
    ...first,
    annotations: record(r.annotations ?? {}, "job.annotations", LABEL_KEY, TEXT, MAX_LABELS),
    resourceRequests: resources(r.resourceRequests, "job.resourceRequests"),
    resourceLimits: resources(r.resourceLimits, "job.resourceLimits"),
    host: {
      os: optionalString(host.os, "job.host.os", NAME),
      name: optionalString(host.name, "job.host.name", NAME),
      nodeSelector: record(host.nodeSelector ?? {}, "job.host.nodeSelector", LABEL_KEY, NAME, MAX_LABELS),
    },
    storage: {
      enabled: bool(storage.enabled, "job.storage.enabled"),
      path: string(storage.path ?? STORAGE_PATH, "job.storage.path", PATH),
    },
    cache: {
      enabled: bool(cache.enabled, "job.cache.enabled"),
      path: string(cache.path ?? CACHE_PATH, "job.cache.path", PATH),
      size: string(cache.size ?? "5Mi", "job.cache.size", QUANTITY),
    },
    dockerSocket: bool(object(r.docker ?? {}, "job.docker").enabled, "job.docker.enabled"),
  };
  if (r.timeoutMs !== undefined && r.timeoutMs !== null) {
    const t = r.timeoutMs;
    if (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_MS) {
      throw new Invalid("job.timeout", `a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`, show(t));
    }
    spec.timeoutMs = Math.ceil(t);
  }
  const command = strings(r.command ?? [], "job.command", TEXT);
  if (command.length > 0) spec.command = command;
  const workingDir = optionalString(r.workingDir, "job.workingDir", PATH);
  if (workingDir !== undefined) spec.workingDir = workingDir;
  const sidecars = sidecarsOf(r.sidecars);
  if (sidecars.length > 0) spec.sidecars = sidecars;
  const account = optionalString(r.serviceAccount, "job.serviceAccount", NAME);
  if (account !== undefined) spec.serviceAccount = account;
  return spec;
}

function sidecarsOf(v: unknown): JobSidecar[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Invalid("job.sidecars", "an array of sidecars", kindOf(v));
  if (v.length > MAX_SIDECARS)
    throw new Invalid("job.sidecars", `at most ${MAX_SIDECARS} sidecars`, String(v.length));
  const seen = new Set<string>();
  return v.map((item, i) => {
    const at = `job.sidecars[${i}]`;
    const o = object(item, at);
    const name = string(o.name, `${at}.name`, SIDECAR_NAME);
    if (seen.has(name)) throw new Invalid(`${at}.name`, "a name no other sidecar of the job has", show(name));
    seen.add(name);
    const sidecar: JobSidecar = {
      name,
      image: string(o.image, `${at}.image`, IMAGE),
      command: strings(o.command ?? [], `${at}.command`, TEXT),
      args: strings(o.args ?? [], `${at}.args`, TEXT),
      env: record(o.env ?? {}, `${at}.env`, ENV_NAME, TEXT, MAX_ENV),
      privileged: bool(o.privileged, `${at}.privileged`),
      imageForcePull: bool(o.imageForcePull, `${at}.imageForcePull`),
    };
    const workingDir = optionalString(o.workingDir, `${at}.workingDir`, PATH);
    if (workingDir !== undefined) sidecar.workingDir = workingDir;
    return sidecar;
  });
}

function resources(v: unknown, path: string): { cpu?: string; memory?: string } {
  const o = object(v ?? {}, path);
  const out: { cpu?: string; memory?: string } = {};
  const cpu = optionalString(o.cpu, `${path}.cpu`, QUANTITY);
  const memory = optionalString(o.memory, `${path}.memory`, QUANTITY);
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  return out;
}
