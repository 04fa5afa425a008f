/**
 * Image reference grammar (distribution/reference, OCI image-spec). Names from a payload end up in
 * image references, Dispatchfile variables and container pulls, so they are checked at the door.
 */
import type { EventType, ImageRef, Problem } from "@bosun/core";
import { imageRef } from "@bosun/core";
import type { ParsedPush } from "../registry.js";
import { malformed } from "./json.js";

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const MAX_NAME = 255;
const MAX_DIGEST = 256;

export function repositoryProblem(value: string, path: string): Problem | undefined {
  const valid = value.length <= MAX_NAME && value.split("/").every((part) => PATH_COMPONENT.test(part));
  return valid
    ? undefined
    : malformed(
        path,
        "a repository name: lower-case components separated by /",
        value,
        "not a valid repository",
      );
}

export function tagProblem(value: string, path: string): Problem | undefined {
  return TAG.test(value)
    ? undefined
    : malformed(
        path,
        "a tag: letters, digits, _ . - (at most 128, not starting with . or -)",
        value,
        "not a valid tag",
      );
}

export function digestProblem(value: string, path: string): Problem | undefined {
  return value.length <= MAX_DIGEST && DIGEST.test(value)
    ? undefined
    : malformed(path, "a digest such as sha256:<hex>", value, "not a valid digest");
}

export function hostProblem(value: string, path: string): Problem | undefined {
  const colon = value.lastIndexOf(":");
  const hasPort = colon > value.lastIndexOf("]") && /^[0-9]{1,5}$/.test(value.slice(colon + 1));
  const name = hasPort ? value.slice(0, colon) : value;
  const valid = value.length <= MAX_NAME && (HOST_NAME.test(name) || IPV6.test(name));
  return valid ? undefined : malformed(path, "a registry host such as registry.example.com:5000", value);
}

export interface ImageFields {
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
  mediaType?: string | undefined;
  pusher?: string | undefined;
  pushedAt?: string | undefined;
}

/** An ImageRef with its canonical `ref`, leaving out the fields the registry did not report. */
export function imageOf(fields: ImageFields): ImageRef {
  const image: ImageRef = {
    registry: fields.registry,
    repository: fields.repository,
    ref: imageRef(fields.registry, fields.repository, fields.tag, fields.digest),
  };
  for (const key of ["tag", "digest", "mediaType", "pusher", "pushedAt"] as const) {
    const value = fields[key];
    if (value !== undefined) image[key] = value;
  }
  return image;
}

export function pushOf(type: EventType, fields: ImageFields, deliveryId?: string): ParsedPush {
  const push: ParsedPush = { type, image: imageOf(fields) };
  if (deliveryId !== undefined) push.deliveryId = deliveryId;
  return push;
}
