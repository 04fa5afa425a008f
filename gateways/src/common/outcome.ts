/** What reading one event of a payload gives: a push to store, or a reason it is not one. */
import type { Problem, Result } from "@bosun/core";
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

/** The delivery of a request that carries several events: all their pushes and reasons, or all problems. */
export function deliveryOfEach(outcomes: readonly Result<PushOutcome>[]): Result<ParsedDelivery> {
  const delivery: ParsedDelivery = { pushes: [], ignored: [] };
  const errors: Problem[] = [];
  for (const outcome of outcomes) {
    if (outcome.errors) errors.push(...outcome.errors);
    else if ("push" in outcome.value) delivery.pushes.push(outcome.value.push);
    else delivery.ignored.push(outcome.value.ignored);
  }
  return errors.length > 0 ? { errors } : { value: delivery };
}
