/**
 * Harbor webhook payloads, in the three shapes Harbor has sent: Default (`type: PUSH_ARTIFACT`,
 * `event_data`), CloudEvents (`type: harbor.artifact.pushed`, the same under `data`, with `id` and
 * `time`), and Harbor 1.x (`type: pushImage`, `event_data`). Every resource is one artifact; the
 * registry host is the part of its `resource_url` before the first slash.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed, optionalString, problem } from "../common/json.js";
import { pushOf, repositoryProblem } from "../common/reference.js";
import { fromUnixSeconds, rfc3339 } from "../common/time.js";
import type { ParsedDelivery, ParsedPush } from "../registry.js";
import { readResource } from "./resource.js";

export const HARBOR_TITLE = "Harbor";

/** Event types that become events, by format; pulls, scans, quotas, replication, charts are not. */
const EVENT_TYPES: ReadonlyMap<string, EventType> = new Map([
  ["PUSH_ARTIFACT", "image_push"],
  ["harbor.artifact.pushed", "image_push"],
  ["pushImage", "image_push"],
  ["DELETE_ARTIFACT", "image_delete"],
  ["harbor.artifact.deleted", "image_delete"],
  ["deleteImage", "image_delete"],
]);

export function parseHarborPayload(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, HARBOR_TITLE, "with type and event_data");
  if (decoded.errors) return decoded;
  const root = decoded.value;
  if (field(root, "event_type") !== undefined && field(root, "type") === undefined) {
    return {
      errors: [
        problem(
          "PAYLOAD_UNSUPPORTED",
          "The event_type/events[] shape appears only in Harbor 1.9-1.10 design documents; Harbor sends " +
            "type and event_data, and this shape has no registry host.",
          { path: "event_type", expected: "type and event_data", found: "event_type and events" },
        ),
      ],
    };
  }
  const type = field(root, "type");
  if (typeof type !== "string" || type === "") {
    return {
      errors: [malformed("type", "the event type, e.g. PUSH_ARTIFACT or harbor.artifact.pushed", type)],
    };
  }
  const eventType = EVENT_TYPES.get(type);
  if (eventType === undefined) {
    return { value: { pushes: [], ignored: [{ path: "type", reason: `${type.slice(0, 60)} event` }] } };
  }

  // CloudEvents carry the payload under `data`; the Default and 1.x formats under `event_data`.
  const dataKey =
    field(root, "event_data") === undefined && field(root, "data") !== undefined ? "data" : "event_data";
  const data = field(root, dataKey);
  if (!isObject(data))
    return { errors: [malformed(dataKey, "an object with resources and repository", data)] };
  return readArtifacts(root, data, dataKey, eventType);
}

function readArtifacts(
  root: JsonObject,
  data: JsonObject,
  dataKey: string,
  type: EventType,
): Result<ParsedDelivery> {
  const errors: Problem[] = [];
  const repository = readRepository(data, dataKey, errors);
  const resources = field(data, "resources");
  if (!Array.isArray(resources) || resources.length === 0) {
    errors.push(malformed(`${dataKey}.resources`, "a non-empty array of artifacts", resources));
    return { errors };
  }
  const found = resources.map((resource, i) => readResource(resource, `${dataKey}.resources[${i}]`, errors));
  if (errors.length > 0 || repository === undefined) return { errors };

  const id = optionalString(root, "id");
  const pusher = optionalString(root, "operator");
  const pushedAt = rfc3339(field(root, "time")) ?? fromUnixSeconds(field(root, "occur_at"));
  const pushes: ParsedPush[] = [];
  found.forEach((artifact, i) => {
    if (artifact === undefined) return;
    // The CloudEvents id names the whole request; each artifact in it needs an id of its own.
    const deliveryId = id === undefined || found.length === 1 ? id : `${id}:${i}`;
    pushes.push(pushOf(type, { ...artifact, repository, pusher, pushedAt }, deliveryId));
  });
  return { value: { pushes, ignored: [] } };
}

/** `repository.repo_full_name`, or `namespace` + `name` when it is absent. */
function readRepository(data: JsonObject, dataKey: string, errors: Problem[]): string | undefined {
  const path = `${dataKey}.repository`;
  const repository = field(data, "repository");
  if (!isObject(repository)) {
    errors.push(malformed(path, "an object with repo_full_name", repository));
    return undefined;
  }
  const fullName = field(repository, "repo_full_name");
  const namespace = field(repository, "namespace");
  const name = field(repository, "name");
  const value =
    fullName === undefined && typeof namespace === "string" && typeof name === "string"
      ? `${namespace}/${name}`
      : fullName;
  if (typeof value !== "string" || value === "") {
    errors.push(malformed(`${path}.repo_full_name`, 'the repository, "project/name"', fullName));
    return undefined;
  }
  const bad = repositoryProblem(value, `${path}.repo_full_name`);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}
