/** Reading untrusted JSON bodies into values or Problems, without throwing. */
import type { ErrorCode, Problem, Result } from "@bosun/core";

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

// fatal: invalid UTF-8 is a malformed body, not something to repair silently.
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function problem(
  code: ErrorCode,
  message: string,
  where: { path?: string; expected?: string; found?: string } = {},
): Problem {
  const p: Problem = { code, message };
  if (where.path) p.path = where.path;
  if (where.expected !== undefined) p.expected = where.expected;
  if (where.found !== undefined) p.found = where.found;
  return p;
}

/** A field that is absent or of the wrong type: names the field, what belongs there and what came. */
export function malformed(path: string, expected: string, value: Json | undefined, hint = ""): Problem {
  const message = `${value === undefined ? "Missing" : "Unexpected value at"} ${path}${hint ? `: ${hint}` : ""}`;
  return problem("PAYLOAD_MALFORMED", message, { path, expected, found: describe(value) });
}

/** Decodes the body as UTF-8 JSON; the title names the registry in messages. */
export function decodeJson(body: Buffer, title: string): Result<Json> {
  if (body.length === 0) {
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", `The request body is empty; ${title} sends a JSON document.`, {
          expected: "a JSON document",
          found: "an empty body",
        }),
      ],
    };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", "The request body is not valid UTF-8.", {
          expected: "UTF-8 encoded JSON",
          found: "invalid UTF-8 bytes",
        }),
      ],
    };
  }
  try {
    return { value: JSON.parse(text) as Json };
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : "unparseable";
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", `The request body is not valid JSON (${detail}).`, {
          expected: "a JSON document",
          found: describe(text),
        }),
      ],
    };
  }
}

/** Decodes a body that must be a JSON object; `shape` tells people what the object holds. */
export function decodeObject(body: Buffer, title: string, shape: string): Result<JsonObject> {
  const decoded = decodeJson(body, title);
  if (decoded.errors) return decoded;
  if (isObject(decoded.value)) return { value: decoded.value };
  return {
    errors: [
      problem("PAYLOAD_MALFORMED", `A ${title} payload is a JSON object ${shape}.`, {
        expected: "a JSON object",
        found: describe(decoded.value),
      }),
    ],
  };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property only: "__proto__" or "constructor" in a payload is just a key. */
export function field(object: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A non-empty string field, else undefined (for optional metadata that must not fail a push). */
export function optionalString(object: JsonObject, key: string): string | undefined {
  const value = field(object, key);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** For `found`: the kind of value and a short rendering, never the whole body. */
export function describe(value: Json | undefined): string {
  if (value === undefined) return "nothing (absent)";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") {
    const keys = Object.keys(value);
    const shown = keys.slice(0, 6).join(", ");
    return keys.length === 0 ? "an empty object" : `an object with ${shown}${keys.length > 6 ? ", ..." : ""}`;
  }
  if (typeof value === "string") {
    return value.length > 60
      ? `string ${JSON.stringify(value.slice(0, 60))}...`
      : `string ${JSON.stringify(value)}`;
  }
  return `${typeof value} ${String(value)}`;
}

/**
 * A string value checked with `check` (the reference grammar, usually); "" and absent are the same, as
 * registries written in Go omit empty fields. Problems go to `errors`; the value comes back only if valid.
 */
export function checkedValue(
  value: Json | undefined,
  key: string,
  path: string,
  check: (value: string, path: string) => Problem | undefined,
  errors: Problem[],
  required: boolean,
): string | undefined {
  if (value === undefined || value === "") {
    if (required) errors.push(malformed(path, `the ${key}, a non-empty string`, value));
    return undefined;
  }
  if (typeof value !== "string") {
    errors.push(malformed(path, `the ${key}, a string`, value));
    return undefined;
  }
  const bad = check(value, path);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}
