/**
 * What a project's subscriptions make of a push, for the store to finish at accept time: whether it
 * is taken whatever its tag is, which tag policies it must lead, and whether it waits to gather the
 * other tags of its digest.
 */
import type { PushAdmission } from "../events.js";
import { type CompiledSubscription, type PushToMatch, explainSubscription } from "./match.js";

export type PushPlan = { admission: PushAdmission } | { reason: string | undefined };

/**
 * The admission of a push some subscription accepts, or why none does (undefined: no subscription
 * matches it at all). Of several runPer: digest subscriptions taking it, the longest window holds.
 */
export function planPush(subscriptions: readonly CompiledSubscription[], push: PushToMatch): PushPlan {
  let always = false;
  let gatherMs: number | undefined;
  let reason: string | undefined;
  const policies = [];
  for (const s of subscriptions) {
    const verdict = explainSubscription(s, push);
    if (!verdict.takes) {
      reason ??= verdict.reason;
      continue;
    }
    if (s.policy) policies.push({ key: s.key, policy: s.policy });
    else always = true;
    if (s.runPer === "digest") gatherMs = Math.max(gatherMs ?? 0, s.windowMs ?? 0);
  }
  if (!always && policies.length === 0) return { reason };
  return { admission: { always, policies, ...(gatherMs === undefined ? {} : { gatherMs }) } };
}
