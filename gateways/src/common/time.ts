/**
 * Push times. They are metadata: an unusable value leaves `pushedAt` out rather than losing the push.
 */
import type { Json } from "./json.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
// The range of ECMAScript dates, in seconds.
const MAX_UNIX_SECONDS = 8.64e12;

/** Unix seconds as a number (Docker Hub sends 1417566161 or 1.417566161e+09) or a numeric string. */
export function fromUnixSeconds(value: Json | undefined): string | undefined {
  const seconds =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
  if (!Number.isFinite(seconds) || Math.abs(seconds) > MAX_UNIX_SECONDS) return undefined;
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/** An RFC 3339 timestamp as sent (keeping its precision and offset), when it is one. */
export function rfc3339(value: Json | undefined): string | undefined {
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  return Number.isNaN(Date.parse(value)) ? undefined : value;
}
