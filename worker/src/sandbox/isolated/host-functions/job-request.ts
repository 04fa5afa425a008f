/** Checks a JobRequest from the isolate field by field and turns it into a ScriptJobSpec. */
import { CACHE_PATH, STORAGE_PATH, type JobRequest } from "@bosun/sdk";
import type { ScriptJobSpec } from "../types.js";
import { kindOf } from "./refuse.js";

const MAX_REQUEST_CHARS = 512 * 1024;
const MAX_ITEMS = 1000;
const MAX_STRING = 64 * 1024;
const JOB_NAME = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])+$/;
// Kubernetes' rule for environment variable names, which Brigade's jobs lived by: "-" and "." too.
const ENV_NAME = /^[-._A-Za-z][-._A-Za-z0-9]*$/;

class Invalid extends Error {}

export function parseJobRequest(json: unknown): { spec: ScriptJobSpec } | { problem: string } {
  if (typeof json !== "string")
    return { problem: `runJob: expected the job as a JSON string, found ${kindOf(json)}` };
  if (json.length > MAX_REQUEST_CHARS)
    return { problem: `runJob: the job is larger than ${MAX_REQUEST_CHARS} characters` };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { problem: "runJob: the job is not valid JSON" };
  }
  try {
    return { spec: toSpec(object(raw, "job") as Partial<Record<keyof JobRequest, unknown>>) };
  } catch (e) {
    if (e instanceof Invalid) return { problem: e.message };
    throw e;
  }
}

function toSpec(r: Partial<Record<keyof JobRequest, unknown>>): ScriptJobSpec {
  const name = string(r.name, "job.name");
  if (!JOB_NAME.test(name)) throw new Invalid(`job.name ${JSON.stringify(name)} is not a valid job name`);
  const image = string(r.image, "job.image");
  if (image.trim() === "") throw new Invalid("job.image: expected an image reference, found an empty string");
  const host = object(r.host ?? {}, "job.host");
  const storage = object(r.storage ?? {}, "job.storage");
  const cache = object(r.cache ?? {}, "job.cache");
  const spec: ScriptJobSpec = {
    name,
    image,
    tasks: strings(r.tasks ?? [], "job.tasks"),
    args: strings(r.args ?? [], "job.args"),
    env: record(r.env ?? {}, "job.env", ENV_NAME),
    shell: string(r.shell ?? "/bin/sh", "job.shell"),
    privileged: bool(r.privileged, "job.privileged"),
    labels: {},
    imagePullSecrets: strings(r.imagePullSecrets ?? [], "job.imagePullSecrets"),
    imageForcePull: bool(r.imageForcePull, "job.imageForcePull"),
    streamLogs: bool(r.streamLogs, "job.streamLogs"),
    annotations: record(r.annotations ?? {}, "job.annotations"),
    resourceRequests: resources(r.resourceRequests, "job.resourceRequests"),
    resourceLimits: resources(r.resourceLimits, "job.resourceLimits"),
    host: {
      os: optionalString(host.os, "job.host.os"),
      name: optionalString(host.name, "job.host.name"),
      nodeSelector: record(host.nodeSelector ?? {}, "job.host.nodeSelector"),
    },
    storage: {
      enabled: bool(storage.enabled, "job.storage.enabled"),
      path: string(storage.path ?? STORAGE_PATH, "job.storage.path"),
    },
    cache: {
      enabled: bool(cache.enabled, "job.cache.enabled"),
      path: string(cache.path ?? CACHE_PATH, "job.cache.path"),
      size: string(cache.size ?? "5Mi", "job.cache.size"),
    },
    docker: { enabled: bool(object(r.docker ?? {}, "job.docker").enabled, "job.docker.enabled") },
  };
  if (r.timeoutMs !== undefined && r.timeoutMs !== null) {
    if (typeof r.timeoutMs !== "number" || !Number.isFinite(r.timeoutMs) || r.timeoutMs <= 0) {
      throw new Invalid(
        `job.timeout: expected a positive number of milliseconds, found ${show(r.timeoutMs)}`,
      );
    }
    spec.timeoutMs = Math.ceil(r.timeoutMs);
  }
  const account = optionalString(r.serviceAccount, "job.serviceAccount");
  if (account !== undefined) spec.serviceAccount = account;
  return spec;
}

function show(v: unknown): string {
  return typeof v === "string" || typeof v === "number" ? JSON.stringify(v) : kindOf(v);
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Invalid(`${path}: expected an object, found ${kindOf(v)}`);
  return v as Record<string, unknown>;
}

function string(v: unknown, path: string): string {
  if (typeof v !== "string") throw new Invalid(`${path}: expected a string, found ${kindOf(v)}`);
  if (v.length > MAX_STRING) throw new Invalid(`${path}: longer than ${MAX_STRING} characters`);
  return v;
}

function optionalString(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : string(v, path);
}

function bool(v: unknown, path: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new Invalid(`${path}: expected true or false, found ${kindOf(v)}`);
  return v;
}

function strings(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new Invalid(`${path}: expected an array of strings, found ${kindOf(v)}`);
  if (v.length > MAX_ITEMS) throw new Invalid(`${path}: more than ${MAX_ITEMS} entries`);
  return v.map((item, i) => string(item, `${path}[${i}]`));
}

function record(v: unknown, path: string, keys?: RegExp): Record<string, string> {
  const o = object(v, path);
  const entries = Object.entries(o);
  if (entries.length > MAX_ITEMS) throw new Invalid(`${path}: more than ${MAX_ITEMS} entries`);
  const out: Record<string, string> = {};
  for (const [k, value] of entries) {
    if (keys && !keys.test(k)) throw new Invalid(`${path}: ${JSON.stringify(k)} is not a valid name`);
    out[k] = string(value, `${path}.${k}`);
  }
  return out;
}

function resources(v: unknown, path: string): { cpu?: string; memory?: string } {
  const o = object(v ?? {}, path);
  const out: { cpu?: string; memory?: string } = {};
  const cpu = optionalString(o.cpu, `${path}.cpu`);
  const memory = optionalString(o.memory, `${path}.memory`);
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  return out;
}
