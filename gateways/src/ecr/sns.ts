/**
 * ECR events forwarded by an Amazon SNS HTTP(S) subscription (EventBridge rule → SNS topic → this
 * gateway). Without raw message delivery SNS wraps the event: `Type: "Notification"` with the
 * EventBridge event as a JSON string in `Message`. Subscription and unsubscription confirmations carry
 * no event; the subscription is confirmed by opening their `SubscribeURL`, which this gateway does not
 * fetch (parsing does no I/O).
 */
import type { Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, malformed } from "../common/json.js";
import type { ParsedDelivery } from "../registry.js";
import { quoted } from "./image-action.js";

const CONFIRMATIONS = new Set(["SubscriptionConfirmation", "UnsubscribeConfirmation"]);

/** Whether a body is an SNS message rather than an EventBridge event. */
export function isSnsMessage(body: JsonObject): boolean {
  return typeof field(body, "Type") === "string" && typeof field(body, "TopicArn") === "string";
}

export type SnsOutcome = { event: JsonObject } | { delivery: ParsedDelivery };

/** The EventBridge event inside a notification, or what to answer for other SNS messages. */
export function unwrapSnsMessage(message: JsonObject): Result<SnsOutcome> {
  const type = field(message, "Type") as string;
  if (CONFIRMATIONS.has(type)) {
    const reason = `SNS ${type}: confirm the subscription by opening its SubscribeURL`;
    return { value: { delivery: { pushes: [], ignored: [{ path: "Type", reason }] } } };
  }
  if (type !== "Notification") {
    return {
      value: { delivery: { pushes: [], ignored: [{ path: "Type", reason: `SNS ${quoted(type)}` }] } },
    };
  }
  const inner = field(message, "Message");
  if (typeof inner !== "string") {
    return { errors: [malformed("Message", "the EventBridge event as a JSON string", inner)] };
  }
  const decoded = decodeObject(Buffer.from(inner), "SNS Message", "(an EventBridge event)");
  if (decoded.errors) {
    return { errors: decoded.errors.map((p) => ({ ...p, path: p.path ? `Message.${p.path}` : "Message" })) };
  }
  return { value: { event: decoded.value } };
}
