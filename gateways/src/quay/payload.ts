/**
 * Quay repository notifications ("Webhook POST"). A `repo_push` names the repository, the registry
 * host (in `docker_url`) and the pushed tags: a list (current) or an object `{tag: image_id}`
 * (before 2017). Each tag is its own push. No digest, pusher or time is sent.
 * The event name is not in the body: other notifications pointed at the same URL are recognised by
 * their own fields and ignored; a body that is none of them is a 400 naming `updated_tags`.
 */
import type { Problem, Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed } from "../common/json.js";
import { hostProblem, pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import type { ParsedDelivery } from "../registry.js";

export const QUAY_TITLE = "Quay";

/** Fields of Quay's other notifications, which carry no `updated_tags`. */
const OTHER_NOTIFICATIONS: readonly [string, string][] = [
  ["build_id", "a build notification (the built image arrives as its own repo_push)"],
  ["vulnerability", "a vulnerability_found notification"],
  ["vulnerabilities", "a vulnerability_found notification"],
  ["expiring_in", "a repo_image_expiry notification"],
  ["message", "a repository mirror notification"],
  ["threshold_percent", "a quota notification"],
];

export function parseQuayPayload(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, QUAY_TITLE, "with repository, docker_url and updated_tags");
  if (decoded.errors) return decoded;
  const root = decoded.value;
  const updated = field(root, "updated_tags");
  if (updated === undefined) {
    const other = OTHER_NOTIFICATIONS.find(([key]) => field(root, key) !== undefined);
    if (other) return { value: { pushes: [], ignored: [{ path: "", reason: `${other[1]}, not a push` }] } };
    return {
      errors: [malformed("updated_tags", "the pushed tags: a list, or an object keyed by tag", updated)],
    };
  }

  const errors: Problem[] = [];
  const repository = readRepository(root, errors);
  const host = readHost(root, errors);
  const tags = readTags(updated, errors);
  if (errors.length > 0 || repository === undefined || host === undefined) return { errors };
  if (tags.length === 0) {
    return { value: { pushes: [], ignored: [{ path: "updated_tags", reason: "no tags were updated" }] } };
  }
  const pushes = tags.map((tag) => pushOf("image_push", { registry: host, repository, tag }));
  return { value: { pushes, ignored: [] } };
}

/** `repository` is "namespace/name"; `namespace` + `name` when it is absent. */
function readRepository(root: JsonObject, errors: Problem[]): string | undefined {
  const value = field(root, "repository");
  const namespace = field(root, "namespace");
  const name = field(root, "name");
  const joined =
    value === undefined && typeof namespace === "string" && typeof name === "string"
      ? `${namespace}/${name}`
      : value;
  if (typeof joined !== "string" || joined === "") {
    errors.push(malformed("repository", 'the repository, "namespace/name"', value));
    return undefined;
  }
  const bad = repositoryProblem(joined, "repository");
  if (bad) errors.push(bad);
  return bad ? undefined : joined;
}

/** `docker_url` is SERVER_HOSTNAME/namespace/name: the host is what precedes the first slash. */
function readHost(root: JsonObject, errors: Problem[]): string | undefined {
  const value = field(root, "docker_url");
  if (typeof value !== "string" || value === "") {
    errors.push(malformed("docker_url", "the pull address, e.g. quay.io/namespace/name", value));
    return undefined;
  }
  const host = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "";
  const bad = hostProblem(host, "docker_url");
  if (bad) errors.push(bad);
  return bad ? undefined : host;
}

/** Tags from a list or from the keys of an object, in order, each once. */
function readTags(value: Json, errors: Problem[]): string[] {
  let entries: [string, Json][];
  if (Array.isArray(value)) entries = value.map((tag, i) => [`updated_tags[${i}]`, tag]);
  else if (isObject(value)) entries = Object.keys(value).map((tag) => [`updated_tags.${tag}`, tag]);
  else {
    errors.push(malformed("updated_tags", "a list of tags, or an object keyed by tag", value));
    return [];
  }
  const tags = new Set<string>();
  for (const [path, tag] of entries) {
    if (typeof tag !== "string") {
      errors.push(malformed(path, "a tag, a string", tag));
      continue;
    }
    const bad = tagProblem(tag, path);
    if (bad) errors.push(bad);
    else tags.add(tag);
  }
  return [...tags];
}
