/**
 * Field checks for data a script hands the host. Each bounds what it reads before it looks further, so
 * any input is refused in time linear in its size; messages name the field, what was expected and what
 * was found, the latter shortened so a refusal never echoes a large value back.
 */
import { kindOf, show } from "./refuse.js";

/** One refused field: its path, what was expected and what was found, as a Problem carries them. */
export class Invalid extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${path}: expected ${expected}, found ${found}`);
  }
}

export const MAX_ITEMS = 1000;
// Keys that would set an object's prototype, or look up its constructor, wherever they are used.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export interface StringRule {
  max: number;
  /** Checked only once the length is within `max`; must run in linear time. */
  pattern?: RegExp;
  expected?: string;
}

export function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Invalid(path, "an object", kindOf(v));
  return v as Record<string, unknown>;
}

export function string(v: unknown, path: string, rule: StringRule): string {
  if (typeof v !== "string") throw new Invalid(path, "a string", kindOf(v));
  if (v.length > rule.max) throw new Invalid(path, `at most ${rule.max} characters`, String(v.length));
  if (v.includes("\0")) throw new Invalid(path, "no NUL character", "one");
  if (rule.pattern && !rule.pattern.test(v))
    throw new Invalid(path, rule.expected ?? "a valid value", show(v));
  return v;
}

export function optionalString(v: unknown, path: string, rule: StringRule): string | undefined {
  return v === undefined || v === null ? undefined : string(v, path, rule);
}

export function bool(v: unknown, path: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new Invalid(path, "true or false", kindOf(v));
  return v;
}

export function strings(v: unknown, path: string, rule: StringRule, maxItems = MAX_ITEMS): string[] {
  if (!Array.isArray(v)) throw new Invalid(path, "an array of strings", kindOf(v));
  if (v.length > maxItems) throw new Invalid(path, `at most ${maxItems} entries`, String(v.length));
  return v.map((item, i) => string(item, `${path}[${i}]`, rule));
}

/** A string-to-string map, refusing keys that name prototype machinery. */
export function record(
  v: unknown,
  path: string,
  keys: StringRule,
  values: StringRule,
  maxItems = MAX_ITEMS,
): Record<string, string> {
  const entries = Object.entries(object(v, path));
  if (entries.length > maxItems)
    throw new Invalid(path, `at most ${maxItems} entries`, String(entries.length));
  const out: Record<string, string> = {};
  for (const [k, value] of entries) {
    if (FORBIDDEN_KEYS.has(k)) throw new Invalid(path, "a name", `the reserved key ${show(k)}`);
    string(k, `${path} key`, keys);
    // A long key is named by its shortened form, so the message stays short.
    out[k] = string(value, k.length > 40 ? `${path}[${show(k)}]` : `${path}.${k}`, values);
  }
  return out;
}
