/** How a host function says no: a refusal as JSON, which the runtime turns into an error in the script. */
import type { Refusal } from "../protocol.js";

export function refuse(message: string): string {
  const refusal: Refusal = { code: "HOST_CALL_INVALID", message };
  return JSON.stringify(refusal);
}

export const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/** "a string" / "number" / "array" / "null": what was found, for messages. */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

const MAX_SHOWN = 40;

/** A found value for a message: strings quoted and cut short, numbers as they are, others by their kind. */
export function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") return kindOf(v);
  if (v.length <= MAX_SHOWN) return JSON.stringify(v);
  return `${JSON.stringify(v.slice(0, MAX_SHOWN))}… (${v.length} characters)`;
}
