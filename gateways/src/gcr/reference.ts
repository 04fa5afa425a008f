/**
 * GCR and Artifact Registry name images by full reference: `host/project/repo:tag` in `tag` and
 * `host/project/repo@sha256:…` in `digest`. Each part is checked against the reference grammar.
 */
import type { Problem, Result } from "@bosun/core";
import { malformed } from "../common/json.js";
import { digestProblem, hostProblem, repositoryProblem, tagProblem } from "../common/reference.js";

export interface NamedImage {
  registry: string;
  repository: string;
}

/** "us-docker.pkg.dev/proj/repo/app:1.0" → the image and "1.0". */
export function splitTagReference(value: string, path: string): Result<NamedImage & { tag: string }> {
  const colon = value.lastIndexOf(":");
  if (colon <= value.lastIndexOf("/")) return { errors: [notA("tag", value, path)] };
  const name = splitName(value.slice(0, colon), path);
  if (name.errors) return name;
  const tag = value.slice(colon + 1);
  const bad = tagProblem(tag, path);
  return bad ? { errors: [bad] } : { value: { ...name.value, tag } };
}

/** "gcr.io/proj/app@sha256:…" → the image and "sha256:…". */
export function splitDigestReference(value: string, path: string): Result<NamedImage & { digest: string }> {
  const at = value.indexOf("@");
  if (at < 0) return { errors: [notA("digest", value, path)] };
  const name = splitName(value.slice(0, at), path);
  if (name.errors) return name;
  const digest = value.slice(at + 1);
  const bad = digestProblem(digest, path);
  return bad ? { errors: [bad] } : { value: { ...name.value, digest } };
}

function splitName(name: string, path: string): Result<NamedImage> {
  const slash = name.indexOf("/");
  if (slash < 0) return { errors: [notA("name", name, path)] };
  const registry = name.slice(0, slash);
  const repository = name.slice(slash + 1);
  const bad: Problem | undefined = hostProblem(registry, path) ?? repositoryProblem(repository, path);
  return bad ? { errors: [bad] } : { value: { registry, repository } };
}

function notA(part: "tag" | "digest" | "name", value: string, path: string): Problem {
  const example = part === "digest" ? "gcr.io/my-project/app@sha256:<hex>" : "gcr.io/my-project/app:1.0";
  return malformed(path, `a full image reference such as ${example}`, value, `no ${part} in the reference`);
}
