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
