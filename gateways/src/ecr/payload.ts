/**
 * Amazon ECR events as an EventBridge API destination posts them: the event object itself, one per
 * request. Only "ECR Image Action" events are pushes or deletes; scan results, replication and
 * pull-through-cache events, and events from other AWS services, are answered as ignored.
 */
import type { Result } from "@bosun/core";
import { decodeObject, field, isObject, malformed } from "../common/json.js";
import type { IgnoredItem, ParsedDelivery } from "../registry.js";
import { quoted, readImageAction } from "./image-action.js";

export const ECR_TITLE = "Amazon ECR";
export const ECR_SOURCE = "aws.ecr";
export const IMAGE_ACTION = "ECR Image Action";

export function parseEcrEvent(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, ECR_TITLE, "(an EventBridge event) with detail-type and detail");
  if (decoded.errors) return decoded;
  const event = decoded.value;
  const detailType = field(event, "detail-type");
  if (typeof detailType !== "string") {
    // An input transformer (e.g. a CloudEvents template) reshapes the event: this gateway reads it unchanged.
    const hint = "send the EventBridge event unchanged, without an input transformer";
    return { errors: [malformed("detail-type", `"${IMAGE_ACTION}"`, detailType, hint)] };
  }
  const source = field(event, "source");
  if (typeof source !== "string") {
    return { errors: [malformed("source", `"${ECR_SOURCE}"`, source)] };
  }
  if (source !== ECR_SOURCE) return ignore("source", `an event from ${quoted(source)}, not from ECR`);
  if (detailType !== IMAGE_ACTION) {
    return ignore("detail-type", `${quoted(detailType)} is not an image push or delete`);
  }
  const detail = field(event, "detail");
  if (!isObject(detail)) {
    return {
      errors: [malformed("detail", "an object with action-type, result and repository-name", detail)],
    };
  }
  const outcome = readImageAction(event, detail);
  if (outcome.errors) return outcome;
  return {
    value:
      "push" in outcome.value
        ? { pushes: [outcome.value.push], ignored: [] }
        : { pushes: [], ignored: [outcome.value.ignored] },
  };
}

function ignore(path: string, reason: string): Result<ParsedDelivery> {
  const item: IgnoredItem = { path, reason };
  return { value: { pushes: [], ignored: [item] } };
}
