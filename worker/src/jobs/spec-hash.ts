/**
 * What a job was asked to be, as one hash: a retry reuses an earlier job's result only when the job
 * asked for now hashes the same (image, tasks, command, env names and values, mounts, every option).
 * Env values can be secrets: only their hash, over the whole spec, is ever stored.
 */
import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { JobSpec } from "@bosun/core";

export function jobSpecHash(spec: JobSpec): string {
  // Key order does not matter (stable stringify); undefined fields are left out alike.
  return createHash("sha256")
    .update(stringify(spec) ?? "")
    .digest("hex");
}
