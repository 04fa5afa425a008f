/**
 * ACR events delivered through Azure Event Grid (Event Grid schema): a JSON array of events whose
 * `data` is the webhook payload. The event type, not `data.action`, says what happened. Event Grid's
 * subscription validation handshake needs the validation code echoed in the answer, which the
 * gateway's answers do not carry: it is ignored, and the subscription is validated by opening its
 * `validationUrl` instead.
 */
import type { Problem, Result } from "@bosun/core";
import type { Json } from "../common/json.js";
import { field, isObject, malformed, optionalString } from "../common/json.js";
import type { ParsedDelivery } from "../registry.js";
import type { AcrOutcome, HostFallback } from "./event.js";
import { readAcrEvent } from "./event.js";

/** Event Grid event types and the webhook action each stands for. */
const ACTIONS: ReadonlyMap<string, string> = new Map([
  ["Microsoft.ContainerRegistry.ImagePushed", "push"],
  ["Microsoft.ContainerRegistry.ImageDeleted", "delete"],
  ["Microsoft.ContainerRegistry.ChartPushed", "chart_push"],
  ["Microsoft.ContainerRegistry.ChartDeleted", "chart_delete"],
]);

const VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";

export function parseEventGridBatch(events: Json[], fallback: HostFallback): Result<ParsedDelivery> {
  if (events.length === 0) {
    return { errors: [malformed("[0]", "at least one Event Grid event", undefined, "the array is empty")] };
  }
  const delivery: ParsedDelivery = { pushes: [], ignored: [] };
  const errors: Problem[] = [];
  events.forEach((event, index) => {
    const outcome = readEventGridEvent(event, `[${index}]`, fallback);
    if (outcome.errors) errors.push(...outcome.errors);
    else if ("push" in outcome.value) delivery.pushes.push(outcome.value.push);
    else delivery.ignored.push(outcome.value.ignored);
  });
  return errors.length > 0 ? { errors } : { value: delivery };
}

function readEventGridEvent(event: Json, path: string, fallback: HostFallback): Result<AcrOutcome> {
  if (!isObject(event)) return { errors: [malformed(path, "an Event Grid event object", event)] };
  const eventType = field(event, "eventType");
  if (typeof eventType !== "string") {
    return {
      errors: [
        malformed(`${path}.eventType`, "Microsoft.ContainerRegistry.ImagePushed or another type", eventType),
      ],
    };
  }
  const ignore = (reason: string): Result<AcrOutcome> => ({ value: { ignored: { path, reason } } });
  if (eventType === VALIDATION) {
    return ignore(
      "Event Grid subscription validation is not answered automatically; open data.validationUrl",
    );
  }
  const action = ACTIONS.get(eventType);
  if (action === undefined) return ignore(`Event Grid event type ${JSON.stringify(eventType.slice(0, 80))}`);
  const data = field(event, "data");
  if (!isObject(data)) return { errors: [malformed(`${path}.data`, "the ACR webhook payload", data)] };
  // data.id is the registry's event id, as in a webhook; the envelope id is only a fallback.
  return readAcrEvent(data, `${path}.data`, action, fallback, optionalString(event, "id"));
}
