/** settle(outcomeJson): the dispatch is over. Called once by the runtime; later calls are ignored. */
import type { DispatchOutcome } from "@bosun/sdk";
import { kindOf, refuse } from "./refuse.js";

const MAX_OUTCOME_CHARS = 256 * 1024;

export function createSettle(
  onSettle: (outcome: DispatchOutcome) => void,
): (outcomeJson: unknown) => string | undefined {
  return (outcomeJson) => {
    if (typeof outcomeJson !== "string")
      return refuse(`settle: expected a JSON string, found ${kindOf(outcomeJson)}`);
    if (outcomeJson.length > MAX_OUTCOME_CHARS)
      return refuse(`settle: the outcome is larger than ${MAX_OUTCOME_CHARS} characters`);
    let outcome: unknown;
    try {
      outcome = JSON.parse(outcomeJson);
    } catch {
      return refuse("settle: the outcome is not valid JSON");
    }
    if (!isOutcome(outcome)) return refuse("settle: not a dispatch outcome");
    onSettle(outcome);
    return undefined;
  };
}

const TRIGGERS: ReadonlySet<unknown> = new Set(["handlerError", "unhandledRejection", "uncaughtException"]);
const optionalString = (v: unknown) => v === undefined || typeof v === "string";

/** Every field the host reads later has the type it will be read as. */
function isOutcome(v: unknown): v is DispatchOutcome {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o.status === "succeeded") return typeof o.handled === "boolean";
  if (o.status !== "failed" || !TRIGGERS.has(o.trigger)) return false;
  const e = o.error as Record<string, unknown> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.message === "string" &&
    typeof e.name === "string" &&
    optionalString(e.stack) &&
    optionalString(e.code)
  );
}
