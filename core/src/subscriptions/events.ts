import type { EventSubscription } from "../config/types.js";

/** Whether a project takes an event of `source` and `type` created through the API. */
export function acceptsEvent(
  events: readonly EventSubscription[] | undefined,
  source: string,
  type: string,
): boolean {
  return (events ?? []).some((e) => e.source === source && (e.types.includes(type) || e.types.includes("*")));
}
