/**
 * JFrog Artifactory webhook envelopes `{domain, event_type, data, subscription_key?, jpd_origin?,
 * source?}`, one event per request. Only the `docker` domain names images: `pushed` becomes an
 * image_push and `deleted` an image_delete. `promoted` is ignored: it copies or moves an image that
 * was reported when it was pushed, and the event's reference (image_name:tag, without the Artifactory
 * repository) would be the same again. Other domains (artifact, build, release bundles) are ignored.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed, optionalString } from "../common/json.js";
import { pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import type { ParsedDelivery } from "../registry.js";
import { configuredHost, JFROG_PLACEHOLDER_HOST, originHost } from "./host.js";

export const JFROG_TITLE = "JFrog Artifactory";

const EVENT_TYPES: Readonly<Record<string, EventType>> = { pushed: "image_push", deleted: "image_delete" };
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function parseJfrogEvent(body: Buffer, query: URLSearchParams): Result<ParsedDelivery> {
  const configured = configuredHost(query);
  if (configured.errors) return configured;
  const decoded = decodeObject(body, JFROG_TITLE, "with domain, event_type and data");
  if (decoded.errors) return decoded;
  const root = decoded.value;
  const domain = field(root, "domain");
  if (typeof domain !== "string") {
    return { errors: [malformed("domain", '"docker" (a JFrog webhook event)', domain)] };
  }
  if (domain !== "docker") return ignore("domain", `the ${quoted(domain)} domain does not report images`);
  const eventType = field(root, "event_type");
  if (typeof eventType !== "string") {
    return { errors: [malformed("event_type", "pushed, deleted or promoted", eventType)] };
  }
  const type = Object.hasOwn(EVENT_TYPES, eventType) ? EVENT_TYPES[eventType] : undefined;
  if (type === undefined) {
    const why =
      eventType === "promoted"
        ? "a promotion of an image already reported when pushed"
        : "not a push or delete";
    return ignore("event_type", `event_type ${quoted(eventType)}: ${why}`);
  }
  const data = field(root, "data");
  if (!isObject(data)) {
    return { errors: [malformed("data", "an object with image_name, tag and sha256", data)] };
  }

  const errors: Problem[] = [];
  const repository = required(data, "image_name", repositoryProblem, errors);
  const tag = required(data, "tag", tagProblem, errors);
  if (errors.length > 0 || repository === undefined || tag === undefined) return { errors };
  const push = pushOf(type, {
    registry: configured.value ?? originHost(field(root, "jpd_origin")) ?? JFROG_PLACEHOLDER_HOST,
    repository,
    tag,
    digest: manifestDigest(data),
    pusher: optionalString(root, "source"),
  });
  return { value: { pushes: [push], ignored: [] } };
}

/**
 * `data.sha256` is the checksum of the manifest file (manifest.json or list.manifest.json), i.e. the
 * manifest digest, as bare hex. The tag names the image, so a value that is not one (JFrog's samples
 * say "sample_checksum") is left out rather than failing the push.
 */
function manifestDigest(data: JsonObject): string | undefined {
  const sha256 = field(data, "sha256");
  return typeof sha256 === "string" && SHA256_HEX.test(sha256) ? `sha256:${sha256.toLowerCase()}` : undefined;
}

function required(
  data: JsonObject,
  key: string,
  check: (value: string, path: string) => Problem | undefined,
  errors: Problem[],
): string | undefined {
  const path = `data.${key}`;
  const value = field(data, key);
  if (typeof value !== "string" || value === "") {
    errors.push(malformed(path, `the ${key}, a non-empty string`, value));
    return undefined;
  }
  const bad = check(value, path);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}

function ignore(path: string, reason: string): Result<ParsedDelivery> {
  return { value: { pushes: [], ignored: [{ path, reason }] } };
}

function quoted(value: string): string {
  return JSON.stringify(value.slice(0, 40));
}
