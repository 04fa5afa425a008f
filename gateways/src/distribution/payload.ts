/**
 * Distribution (registry:2 and its forks: GitLab, Harbor's core) notification envelopes
 * `{"events": [...]}`. One request can group unrelated events: only manifest pushes become
 * `image_push`, deletes become `image_delete`, and blob pushes, pulls and mounts are ignored.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import {
  checkedValue,
  decodeObject,
  describe,
  field,
  isObject,
  malformed,
  optionalString,
} from "../common/json.js";
import { digestProblem, hostProblem, pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import { rfc3339 } from "../common/time.js";
import type { ParsedDelivery } from "../registry.js";
import { MANIFEST_MEDIA_TYPES } from "./media-types.js";
import { deliveryOfEach, type PushOutcome } from "../common/outcome.js";

export function parseDistributionEnvelope(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, "Distribution", '{"events": [...]}');
  if (decoded.errors) return decoded;
  const root = decoded.value;
  const events = field(root, "events");
  if (!Array.isArray(events)) return { errors: [malformed("events", "an array of events", events)] };

  return deliveryOfEach(events.map((event, index) => readEvent(event, `events[${index}]`)));
}

function readEvent(event: Json, path: string): Result<PushOutcome> {
  if (!isObject(event)) return { errors: [malformed(path, "an event object", event)] };
  const action = field(event, "action");
  if (typeof action !== "string") {
    return { errors: [malformed(`${path}.action`, "push, pull, mount or delete", action)] };
  }
  const ignore = (reason: string): Result<PushOutcome> => ({ value: { ignored: { path, reason } } });
  switch (action) {
    case "push": {
      const target = field(event, "target");
      const mediaType = isObject(target) ? field(target, "mediaType") : undefined;
      if (typeof mediaType !== "string" || !MANIFEST_MEDIA_TYPES.has(mediaType.toLowerCase())) {
        return ignore(`push of a blob (${describe(mediaType)}), not of a manifest`);
      }
      return readImageEvent(event, path, "image_push");
    }
    case "delete":
      return readImageEvent(event, path, "image_delete");
    case "pull":
    case "mount":
      return ignore(`${action} event`);
    default:
      // Newer registries may add actions; they are not pushes.
      return ignore(`unknown action ${JSON.stringify(action.slice(0, 40))}`);
  }
}

/**
 * A manifest push carries repository, digest and (when pushed by tag) tag. A delete carries the
 * repository and a digest (manifest or, indistinguishably, blob), a tag, or neither (the repository).
 */
function readImageEvent(event: JsonObject, path: string, type: EventType): Result<PushOutcome> {
  const target = field(event, "target");
  if (!isObject(target))
    return { errors: [malformed(`${path}.target`, "an object with repository", target)] };
  const request = field(event, "request");
  const host = isObject(request) ? field(request, "host") : undefined;
  const actor = field(event, "actor");

  const errors: Problem[] = [];
  const repository = checked(
    target,
    "repository",
    `${path}.target.repository`,
    repositoryProblem,
    errors,
    true,
  );
  const tag = checked(target, "tag", `${path}.target.tag`, tagProblem, errors, false);
  const digest = checked(
    target,
    "digest",
    `${path}.target.digest`,
    digestProblem,
    errors,
    type === "image_push",
  );
  if (typeof host !== "string" || host === "") {
    errors.push(malformed(`${path}.request.host`, "the registry host the client used", host));
  } else {
    const bad = hostProblem(host, `${path}.request.host`);
    if (bad) errors.push(bad);
  }
  if (errors.length > 0 || repository === undefined || typeof host !== "string") return { errors };

  const push = pushOf(
    type,
    {
      registry: host,
      repository,
      tag,
      digest,
      mediaType: type === "image_push" ? optionalString(target, "mediaType") : undefined,
      pusher: isObject(actor) ? optionalString(actor, "name") : undefined,
      pushedAt: rfc3339(field(event, "timestamp")),
    },
    optionalString(event, "id"),
  );
  return { value: { push } };
}

/** A string field checked against the reference grammar; "" and absent are the same (omitempty). */
function checked(
  object: JsonObject,
  key: string,
  path: string,
  check: (value: string, path: string) => Problem | undefined,
  errors: Problem[],
  required: boolean,
): string | undefined {
  return checkedValue(field(object, key), key, path, check, errors, required);
}
