/**
 * Azure Container Registry deliveries: a bare webhook event (`action` says what happened) or, from
 * Event Grid, an array of events (Event Grid schema or a CloudEvents batch) or one CloudEvent.
 * `?registry=<host>` on the webhook URL names the registry for events that do not (Helm chart events
 * have no `request` object).
 */
import type { Result } from "@bosun/core";
import { decodeJson, field, isObject, malformed, problem } from "../common/json.js";
import { hostProblem } from "../common/reference.js";
import type { ParsedDelivery } from "../registry.js";
import type { HostFallback } from "./event.js";
import { ACR_TITLE, readAcrEvent } from "./event.js";
import { isCloudEvent, parseCloudEvent, parseEventGridBatch } from "./event-grid.js";
import { deliveryOfOne } from "../common/outcome.js";

export const ACR_REGISTRY_PARAMETER = "registry";

export function parseAcrDelivery(body: Buffer, query: URLSearchParams): Result<ParsedDelivery> {
  const configured = configuredHost(query);
  if (configured.errors) return configured;
  const decoded = decodeJson(body, ACR_TITLE);
  if (decoded.errors) return decoded;
  const root = decoded.value;
  const fallback: HostFallback = { configured: configured.value };
  // Event Grid posts arrays of events whose `data` is the webhook payload.
  if (Array.isArray(root)) return parseEventGridBatch(root, fallback);
  if (isObject(root) && isCloudEvent(root)) return parseCloudEvent(root, fallback);
  if (!isObject(root)) {
    return { errors: [malformed("action", "a JSON object with action and target", root)] };
  }
  const action = field(root, "action");
  if (typeof action !== "string") {
    return {
      errors: [malformed("action", "push, delete, chart_push, chart_delete, ping or quarantine", action)],
    };
  }
  return deliveryOfOne(readAcrEvent(root, "", action, fallback));
}

/** `?registry=<host>` on the webhook URL, at most once and a valid host. */
function configuredHost(query: URLSearchParams): Result<string | undefined> {
  const values = query.getAll(ACR_REGISTRY_PARAMETER);
  if (values.length === 0) return { value: undefined };
  const [value] = values;
  if (values.length > 1 || value === undefined || value === "") {
    const message = "The registry query parameter of the webhook URL must name one registry host.";
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", message, {
          path: `?${ACR_REGISTRY_PARAMETER}`,
          expected: "one host, e.g. ?registry=myregistry.azurecr.io",
          found: values.length > 1 ? `${values.length} values` : "an empty value",
        }),
      ],
    };
  }
  const bad = hostProblem(value, `?${ACR_REGISTRY_PARAMETER}`);
  return bad ? { errors: [bad] } : { value };
}
