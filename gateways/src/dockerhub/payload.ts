/**
 * Docker Hub webhook payloads: one request per pushed tag, no event type, no digest, no delivery id.
 * Required: repository.repo_name (or namespace + name) and push_data.tag. Pusher, pushed_at and
 * media_type are metadata and are left out when unusable rather than failing the push.
 */
import type { Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import {
  decodeObject,
  describe,
  field,
  isObject,
  malformed,
  optionalString,
  problem,
} from "../common/json.js";
import { pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import { fromUnixSeconds } from "../common/time.js";
import type { ParsedDelivery } from "../registry.js";

export const DOCKER_HUB_REGISTRY = "docker.io";

export function parseDockerHubPayload(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, "Docker Hub", "with push_data and repository");
  if (decoded.errors) return decoded;
  const root = decoded.value;
  if (isCallbackResponse(root)) {
    return {
      errors: [
        problem(
          "PAYLOAD_UNSUPPORTED",
          "This is a Docker Hub callback response (state, description, context, target_url), not a push " +
            "webhook: push_data is missing. Callback responses go to a push's callback_url; this URL takes the webhooks.",
          { path: "push_data", expected: "an object with tag", found: describe(undefined) },
        ),
      ],
    };
  }

  const repository = readRepository(root);
  if (repository.errors) return repository;
  const pushData = field(root, "push_data");
  if (!isObject(pushData)) return { errors: [malformed("push_data", "an object with tag", pushData)] };
  const tag = field(pushData, "tag");
  if (typeof tag !== "string" || tag === "") {
    return { errors: [malformed("push_data.tag", "the pushed tag, a non-empty string", tag)] };
  }
  const badTag = tagProblem(tag, "push_data.tag");
  if (badTag) return { errors: [badTag] };

  const push = pushOf("image_push", {
    registry: DOCKER_HUB_REGISTRY,
    repository: repository.value,
    tag,
    mediaType: optionalString(pushData, "media_type"),
    pusher: optionalString(pushData, "pusher"),
    pushedAt: fromUnixSeconds(field(pushData, "pushed_at")),
  });
  return { value: { pushes: [push], ignored: [] } };
}

function isCallbackResponse(root: JsonObject): boolean {
  return field(root, "push_data") === undefined && typeof field(root, "state") === "string";
}

/** "namespace/name"; official images arrive without a namespace and live under library/. */
function readRepository(root: JsonObject): Result<string> {
  const repository = field(root, "repository");
  if (!isObject(repository)) {
    return { errors: [malformed("repository", "an object with repo_name", repository)] };
  }
  const repoName = field(repository, "repo_name");
  // repo_name is the usual field; namespace + name is the fallback when it is absent altogether.
  const fallback =
    repoName === undefined ? joinParts(field(repository, "namespace"), field(repository, "name")) : undefined;
  const name = typeof repoName === "string" && repoName !== "" ? repoName : fallback;
  if (name === undefined) {
    return { errors: [malformed("repository.repo_name", 'the repository name, e.g. "myorg/app"', repoName)] };
  }
  const path = fallback === undefined ? "repository.repo_name" : "repository.name";
  const normalized = name.includes("/") ? name : `library/${name}`;
  const bad = repositoryProblem(normalized, path);
  return bad ? { errors: [bad] } : { value: normalized };
}

function joinParts(namespace: Json | undefined, name: Json | undefined): string | undefined {
  if (typeof name !== "string" || name === "") return undefined;
  return typeof namespace === "string" && namespace !== "" ? `${namespace}/${name}` : name;
}
