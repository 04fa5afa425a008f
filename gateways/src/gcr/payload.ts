/**
 * Pub/Sub push deliveries: `{"message": {"data": <base64>, "messageId", "publishTime", "attributes"},
 * "subscription"}`, one message per request. The event time is the message's publishTime and the
 * delivery id its messageId, so Pub/Sub's at-least-once redeliveries are stored once.
 */
import type { Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed, optionalString, problem } from "../common/json.js";
import { rfc3339 } from "../common/time.js";
import type { ParsedDelivery } from "../registry.js";
import { readGcrNotification } from "./notification.js";
import { deliveryOfOne } from "../common/outcome.js";

export const GCR_TITLE = "GCR / Artifact Registry";

// Standard or URL-safe alphabet; Node's decoder would otherwise skip stray characters silently.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATA_EXPECTED = "base64 of the registry's JSON notification ({action, digest, tag})";

export function parseGcrEnvelope(body: Buffer): Result<ParsedDelivery> {
  const decoded = decodeObject(
    body,
    GCR_TITLE,
    'from a Pub/Sub push subscription: {"message": {"data": ...}}',
  );
  if (decoded.errors) return decoded;
  const message = field(decoded.value, "message");
  if (!isObject(message)) {
    // The registry's own notification, posted (or given to `bosun script run`) without its envelope.
    const bare = message === undefined && field(decoded.value, "action") !== undefined;
    const hint = bare
      ? "this is the registry's notification itself; Pub/Sub pushes it base64-encoded as message.data: " +
        '{"message": {"data": "<base64 of this body>", "messageId": "...", "publishTime": "..."}}'
      : "";
    return { errors: [malformed("message", "the Pub/Sub message, an object with data", message, hint)] };
  }
  const data = field(message, "data");
  if (data === undefined || data === "") {
    // Pub/Sub allows attribute-only messages; the registry never publishes one, so nothing to run.
    const reason = "a Pub/Sub message without data is not a registry notification";
    return { value: { pushes: [], ignored: [{ path: "message.data", reason }] } };
  }
  if (typeof data !== "string") return { errors: [malformed("message.data", DATA_EXPECTED, data)] };
  const notification = decodeData(data);
  if (notification.errors) return notification;

  return deliveryOfOne(
    readGcrNotification(notification.value, {
      // Pub/Sub sends each field twice, camelCase and snake_case.
      deliveryId: optionalString(message, "messageId") ?? optionalString(message, "message_id"),
      publishTime: rfc3339(field(message, "publishTime")) ?? rfc3339(field(message, "publish_time")),
    }),
  );
}

function decodeData(data: string): Result<JsonObject> {
  const bytes = BASE64.test(data) && data.length % 4 !== 1 ? Buffer.from(data, "base64") : undefined;
  if (bytes === undefined) {
    return { errors: [malformed("message.data", DATA_EXPECTED, data, "not base64")] };
  }
  const json = decodeObject(bytes, GCR_TITLE, "with action, digest and tag");
  if (json.value) return json;
  const message = "message.data is base64 but does not decode to a JSON object, the registry's notification.";
  const found = json.errors[0]?.found;
  return {
    errors: [problem("PAYLOAD_MALFORMED", message, { path: "message.data", expected: DATA_EXPECTED, found })],
  };
}
