/**
 * One entry of Harbor's `resources`: digest, tag and resource_url. Harbor fills `tag` from the first
 * tag of the artifact; an artifact pushed by digest has none, and Harbor then puts the digest in
 * `tag` (and `@sha256:` in resource_url): that is a push without a tag.
 */
import type { Problem } from "@bosun/core";
import type { Json } from "../common/json.js";
import { field, isObject, malformed } from "../common/json.js";
import { digestProblem, hostProblem, tagProblem } from "../common/reference.js";

export interface HarborArtifact {
  registry: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

export function readResource(resource: Json, path: string, errors: Problem[]): HarborArtifact | undefined {
  if (!isObject(resource)) {
    errors.push(malformed(path, "an object with digest, tag and resource_url", resource));
    return undefined;
  }
  const count = errors.length;
  let digest = optionalText(field(resource, "digest"), `${path}.digest`, errors);
  let tag = optionalText(field(resource, "tag"), `${path}.tag`, errors);
  if (tag !== undefined && (tag === digest || (tagProblem(tag, "") && !digestProblem(tag, "")))) {
    digest ??= tag;
    tag = undefined;
  }
  if (digest !== undefined) pushProblem(digestProblem(digest, `${path}.digest`), errors);
  if (tag !== undefined) pushProblem(tagProblem(tag, `${path}.tag`), errors);
  if (digest === undefined && tag === undefined && errors.length === count) {
    errors.push(malformed(`${path}.digest`, "the artifact's digest (or a tag)", field(resource, "digest")));
  }
  const registry = hostOf(field(resource, "resource_url"), `${path}.resource_url`, errors);
  if (errors.length > count || registry === undefined) return undefined;
  return { registry, tag, digest };
}

/** "harbor.example.com/library/app:1.0" → "harbor.example.com" (a scheme, if any, is dropped). */
function hostOf(value: Json | undefined, path: string, errors: Problem[]): string | undefined {
  if (typeof value !== "string" || !value.includes("/")) {
    errors.push(malformed(path, "the artifact's address, e.g. harbor.example.com/library/app:1.0", value));
    return undefined;
  }
  const host = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "";
  const bad = hostProblem(host, path);
  if (bad) errors.push(bad);
  return bad ? undefined : host;
}

/** A string or absent; "" is absent. */
function optionalText(value: Json | undefined, path: string, errors: Problem[]): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  errors.push(malformed(path, "a string", value));
  return undefined;
}

function pushProblem(problem: Problem | undefined, errors: Problem[]): void {
  if (problem) errors.push(problem);
}
