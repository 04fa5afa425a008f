/** Turns whatever was thrown into data that can cross the bridge. */

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** A stable code carried by the error (JOB_FAILED, HOST_CALL_INVALID, ...), when it has one. */
  code?: string;
}

export function serializeError(reason: unknown): SerializedError {
  if (reason instanceof Error || isErrorLike(reason)) {
    const e = reason as Error & { code?: unknown };
    const out: SerializedError = { name: String(e.name || "Error"), message: String(e.message) };
    if (typeof e.stack === "string") out.stack = e.stack;
    if (typeof e.code === "string") out.code = e.code;
    return out;
  }
  return { name: "NonError", message: `a non-Error value was thrown: ${describe(reason)}` };
}

function isErrorLike(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
