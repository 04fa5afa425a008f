/**
 * The pushed container version inside a package object. The tag is `container_metadata.tag.name`
 * ("" for an untagged push, whose package_url then ends in a bare colon); the digest the manifest's.
 * Image references are lower case while GitHub keeps the owner's case, so the repository is lowered.
 */
import type { Problem, Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import { field, isObject, malformed, optionalString } from "../common/json.js";
import { digestProblem, hostProblem, pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import { rfc3339 } from "../common/time.js";
import type { ParsedPush } from "../registry.js";

export const GHCR_HOST = "ghcr.io";

export function readContainerVersion(
  pkg: JsonObject,
  key: string,
  context: { pusher?: string | undefined },
): Result<ParsedPush[]> {
  const path = `${key}.package_version`;
  const version = field(pkg, "package_version");
  if (!isObject(version)) return { errors: [malformed(path, "the published version", version)] };
  const metadata = objectAt(version, "container_metadata");
  const manifest = objectAt(metadata, "manifest");
  const tagObject = objectAt(metadata, "tag");

  const errors: Problem[] = [];
  const tag = checkedTag(field(tagObject, "name"), `${path}.container_metadata.tag.name`, errors);
  // Payloads shaped like the REST API's package versions list every tag in metadata.container.tags.
  const listed = tag === undefined ? listedTags(version, `${path}.metadata.container.tags`, errors) : [];
  const digest = firstDigest(
    [
      [field(manifest, "digest"), `${path}.container_metadata.manifest.digest`],
      [field(tagObject, "digest"), `${path}.container_metadata.tag.digest`],
      [field(version, "name"), `${path}.name`],
    ],
    errors,
  );
  const location = imageLocation(pkg, key, errors);
  if (errors.length > 0 || location === undefined) return { errors };
  if (tag === undefined && listed.length === 0 && digest === undefined) {
    return { errors: [malformed(`${path}.name`, "the version's digest", field(version, "name"))] };
  }
  const pushedAt = [field(version, "created_at"), field(pkg, "updated_at")]
    .map(rfc3339)
    // GitHub leaves many container times at Go's zero time.
    .find((time) => time !== undefined && !time.startsWith("0001-"));
  const tags = listed.length > 0 ? listed : [tag];
  // No delivery id: X-GitHub-Delivery is not covered by the signature, so the handler derives one
  // from the signed body and each tag.
  const pushes = tags.map((each) =>
    pushOf("image_push", {
      ...location,
      tag: each,
      digest,
      mediaType: optionalString(manifest, "media_type"),
      pusher: context.pusher,
      pushedAt,
    }),
  );
  return { value: pushes };
}

/** `metadata.container.tags`, each a valid tag; absent is an empty list. */
function listedTags(version: JsonObject, path: string, errors: Problem[]): string[] {
  const tags = field(objectAt(objectAt(version, "metadata"), "container"), "tags");
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) {
    errors.push(malformed(path, "a list of tags", tags));
    return [];
  }
  return tags.flatMap((each, i) => {
    const tag = checkedTag(each, `${path}[${i}]`, errors);
    return tag === undefined ? [] : [tag];
  });
}

/** Registry host and repository from `package_url` ("ghcr.io/Owner/name:tag"), else owner + name. */
function imageLocation(
  pkg: JsonObject,
  key: string,
  errors: Problem[],
): { registry: string; repository: string } | undefined {
  const url = field(objectAt(pkg, "package_version"), "package_url");
  let registry = GHCR_HOST;
  let repository: string;
  let where = `${key}.package_version.package_url`;
  if (typeof url === "string" && url.includes("/")) {
    const slash = url.indexOf("/");
    registry = url.slice(0, slash);
    const name = url.slice(slash + 1).split("@")[0] ?? "";
    const colon = name.lastIndexOf(":");
    repository = (colon > name.lastIndexOf("/") ? name.slice(0, colon) : name).toLowerCase();
    const badHost = hostProblem(registry, where);
    if (badHost) errors.push(badHost);
  } else {
    const owner = objectAt(pkg, "owner");
    const login = optionalString(owner, "login");
    const name = optionalString(pkg, "name");
    if (url !== undefined || login === undefined || name === undefined) {
      errors.push(malformed(where, "the image address, e.g. ghcr.io/owner/name:tag", url));
      return undefined;
    }
    repository = `${login}/${name}`.toLowerCase();
    where = `${key}.name`;
  }
  const bad = repositoryProblem(repository, where);
  if (bad) errors.push(bad);
  return bad ? undefined : { registry, repository };
}

function checkedTag(value: Json | undefined, path: string, errors: Problem[]): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    errors.push(malformed(path, "the tag, a string", value));
    return undefined;
  }
  const bad = tagProblem(value, path);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}

/** The first candidate present; it must be a digest. */
function firstDigest(candidates: [Json | undefined, string][], errors: Problem[]): string | undefined {
  const found = candidates.find(([value]) => value !== undefined && value !== null && value !== "");
  if (!found) return undefined;
  const [value, path] = found;
  if (typeof value !== "string") {
    errors.push(malformed(path, "a digest such as sha256:<hex>", value));
    return undefined;
  }
  const bad = digestProblem(value, path);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}

/** A nested object, or an empty one when absent: the fields read from it are all optional. */
function objectAt(object: JsonObject, key: string): JsonObject {
  const value = field(object, key);
  return isObject(value) ? value : {};
}
