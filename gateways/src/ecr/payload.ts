/**
 * Amazon ECR events as an EventBridge API destination posts them (the event object itself, one per
 * request) or as an SNS subscription forwards them (the event inside an SNS notification). Only
 * "ECR Image Action" events are pushes or deletes; scan results, replication and pull-through-cache
 * events, and events from other AWS services, are answered as ignored.
 */
import type { Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed } from "../common/json.js";
import type { IgnoredItem, ParsedDelivery } from "../registry.js";
import { quoted, readImageAction } from "./image-action.js";
import { isSnsMessage, unwrapSnsMessage } from "./sns.js";
import { deliveryOfOne } from "../common/outcome.js";

export const ECR_TITLE = "Amazon ECR";
export const ECR_SOURCE = "aws.ecr";
export const IMAGE_ACTION = "ECR Image Action";

export function parseEcrEvent(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(body, ECR_TITLE, "(an EventBridge event) with detail-type and detail");
  if (decoded.errors) return decoded;
  if (!isSnsMessage(decoded.value)) return parseEventBridgeEvent(decoded.value);
  const unwrapped = unwrapSnsMessage(decoded.value);
  if (unwrapped.errors) return unwrapped;
  if ("delivery" in unwrapped.value) return { value: unwrapped.value.delivery };
  const parsed = parseEventBridgeEvent(unwrapped.value.event);
  // Paths name fields of the event inside the SNS envelope's Message.
  return parsed.errors
    ? { errors: parsed.errors.map((p) => ({ ...p, path: p.path ? `Message.${p.path}` : "Message" })) }
    : parsed;
}

function parseEventBridgeEvent(event: JsonObject): Result<ParsedDelivery> {
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
  return deliveryOfOne(readImageAction(event, detail));
}

function ignore(path: string, reason: string): Result<ParsedDelivery> {
  const item: IgnoredItem = { path, reason };
  return { value: { pushes: [], ignored: [item] } };
}
