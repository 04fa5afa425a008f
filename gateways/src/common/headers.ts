import type { RequestHeaders } from "../registry.js";

/** The single value of a header; undefined when absent or sent more than once. */
export function singleHeader(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}
