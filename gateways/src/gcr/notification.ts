/**
 * The registry's notification inside a Pub/Sub message (the decoded `message.data`):
 * `{"action": "INSERT" | "DELETE", "digest"?: "<host>/<repo>@sha256:…", "tag"?: "<host>/<repo>:<tag>"}`.
 * A tag push is an INSERT with both; a push by digest (and the manifest half of a tag push) is an
 * INSERT with only `digest`: it is a real push and becomes an image_push without a tag.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { field, malformed } from "../common/json.js";
import { pushOf } from "../common/reference.js";
import type { NamedImage } from "./reference.js";
import { splitDigestReference, splitTagReference } from "./reference.js";
import type { PushOutcome } from "../common/outcome.js";

/** What the Pub/Sub envelope adds: the registry's data has neither a time nor an id. */
export interface MessageMetadata {
  deliveryId?: string | undefined;
  publishTime?: string | undefined;
}

const DATA = "message.data";
const ACTIONS: Readonly<Record<string, EventType>> = { INSERT: "image_push", DELETE: "image_delete" };

export function readGcrNotification(data: JsonObject, metadata: MessageMetadata): Result<PushOutcome> {
  const action = field(data, "action");
  if (typeof action !== "string") {
    return { errors: [malformed(`${DATA}.action`, "INSERT or DELETE", action)] };
  }
  const type = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (type === undefined) {
    const reason = `action ${JSON.stringify(action.slice(0, 40))} is neither INSERT nor DELETE`;
    return { value: { ignored: { path: `${DATA}.action`, reason } } };
  }

  const errors: Problem[] = [];
  const tagText = referenceText(data, "tag", errors);
  const digestText = referenceText(data, "digest", errors);
  if (errors.length > 0) return { errors };
  const tagged = tagText === undefined ? undefined : splitTagReference(tagText, `${DATA}.tag`);
  if (tagged?.errors) return tagged;
  const digested = digestText === undefined ? undefined : splitDigestReference(digestText, `${DATA}.digest`);

  let image: NamedImage & { tag?: string; digest?: string };
  if (tagged) {
    // With a tag the digest is metadata: kept when it names the same image, else left out (Google's
    // documentation samples truncate it to "sha256:6ec128e26cd5...").
    const digest =
      digested?.value && sameImage(digested.value, tagged.value) ? digested.value.digest : undefined;
    image = digest === undefined ? tagged.value : { ...tagged.value, digest };
  } else if (digested) {
    if (digested.errors) return digested;
    image = digested.value;
  } else {
    const expected = "a digest reference (host/repo@sha256:…) or a tag reference (host/repo:tag)";
    return { errors: [malformed(`${DATA}.digest`, expected, undefined, "the notification names no image")] };
  }

  const push = pushOf(type, { ...image, pushedAt: metadata.publishTime }, metadata.deliveryId);
  return { value: { push } };
}

/** `tag` or `digest`: a string, or absent ("" is absent). */
function referenceText(data: JsonObject, key: string, errors: Problem[]): string | undefined {
  const value = field(data, key);
  if (value === undefined || value === "") return undefined;
  if (typeof value === "string") return value;
  errors.push(malformed(`${DATA}.${key}`, `the ${key} as a full image reference, a string`, value));
  return undefined;
}

function sameImage(a: NamedImage, b: NamedImage): boolean {
  return a.registry === b.registry && a.repository === b.repository;
}
