/** What reading one event of a payload gives: a push to store, or a reason it is not one. */
import type { Result } from "@bosun/core";
import type { IgnoredItem, ParsedDelivery, ParsedPush } from "../registry.js";

export type PushOutcome = { push: ParsedPush } | { ignored: IgnoredItem };

/** The delivery of a request that carries exactly one event. */
export function deliveryOfOne(outcome: Result<PushOutcome>): Result<ParsedDelivery> {
  if (outcome.errors) return outcome;
  return {
    value:
      "push" in outcome.value
        ? { pushes: [outcome.value.push], ignored: [] }
        : { pushes: [], ignored: [outcome.value.ignored] },
  };
}
