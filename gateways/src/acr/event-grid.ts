/**
 * ACR events delivered through Azure Event Grid, in either of its schemas: the Event Grid schema (a
 * JSON array of events with `eventType`) or CloudEvents 1.0 (one event, or a batch array, with
 * `specversion` and `type`). In both, `data` is the webhook payload and the event type, not
 * `data.action`, says what happened. The Event Grid schema's subscription validation event is
 * answered by echoing its code as `validationResponse`; CloudEvents subscriptions validate with an
 * `OPTIONS` handshake instead (see http/handshake.ts).
 */
import type { Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import { field, isObject, malformed, optionalString } from "../common/json.js";
import type { ParsedDelivery } from "../registry.js";
import type { HostFallback } from "./event.js";
import { readAcrEvent } from "./event.js";
import { deliveryOfEach, deliveryOfOne, type PushOutcome } from "../common/outcome.js";

/** Event Grid event types and the webhook action each stands for. */
const ACTIONS: ReadonlyMap<string, string> = new Map([
  ["Microsoft.ContainerRegistry.ImagePushed", "push"],
  ["Microsoft.ContainerRegistry.ImageDeleted", "delete"],
  ["Microsoft.ContainerRegistry.ChartPushed", "chart_push"],
  ["Microsoft.ContainerRegistry.ChartDeleted", "chart_delete"],
  // Microsoft's first Event Grid sample (2018) shows the types without their namespace.
  ["ImagePushed", "push"],
  ["ImageDeleted", "delete"],
  ["ChartPushed", "chart_push"],
  ["ChartDeleted", "chart_delete"],
]);

const VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";

/** Whether a JSON object is a CloudEvent rather than a webhook payload. */
export function isCloudEvent(value: JsonObject): boolean {
  return field(value, "specversion") !== undefined;
}

export function parseEventGridBatch(events: Json[], fallback: HostFallback): Result<ParsedDelivery> {
  if (events.length === 0) {
    return { errors: [malformed("[0]", "at least one Event Grid event", undefined, "the array is empty")] };
  }
  let reply: ParsedDelivery["reply"];
  const outcomes = events.map((event, index): Result<PushOutcome> => {
    const path = `[${index}]`;
    if (!isObject(event)) return { errors: [malformed(path, "an Event Grid event object", event)] };
    const code = validationCode(event);
    if (code !== undefined) reply = { validationResponse: code };
    return readEventGridEvent(event, path, fallback);
  });
  const delivery = deliveryOfEach(outcomes);
  return delivery.value && reply ? { value: { ...delivery.value, reply } } : delivery;
}

/** A single CloudEvent (structured mode, `application/cloudevents+json`). */
export function parseCloudEvent(event: JsonObject, fallback: HostFallback): Result<ParsedDelivery> {
  return deliveryOfOne(readEventGridEvent(event, "", fallback));
}

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

function readEventGridEvent(event: JsonObject, path: string, fallback: HostFallback): Result<PushOutcome> {
  // The Event Grid schema names the type `eventType`; CloudEvents name it `type`.
  const typeKey = isCloudEvent(event) ? "type" : "eventType";
  const eventType = field(event, typeKey);
  if (typeof eventType !== "string") {
    return {
      errors: [
        malformed(at(path, typeKey), "Microsoft.ContainerRegistry.ImagePushed or another type", eventType),
      ],
    };
  }
  const ignore = (reason: string): Result<PushOutcome> => ({ value: { ignored: { path, reason } } });
  if (eventType === VALIDATION) return ignore("Event Grid subscription validation, answered with its code");
  const action = ACTIONS.get(eventType);
  if (action === undefined) return ignore(`Event Grid event type ${JSON.stringify(eventType.slice(0, 80))}`);
  const data = field(event, "data");
  if (!isObject(data)) return { errors: [malformed(at(path, "data"), "the ACR webhook payload", data)] };
  // data.id is the registry's event id, as in a webhook; the envelope id is only a fallback.
  return readAcrEvent(data, at(path, "data"), action, fallback, optionalString(event, "id"));
}

/** The code of a subscription validation event, which must come back as `validationResponse`. */
function validationCode(event: JsonObject): string | undefined {
  if (field(event, "eventType") !== VALIDATION) return undefined;
  const data = field(event, "data");
  return isObject(data) ? optionalString(data, "validationCode") : undefined;
}
