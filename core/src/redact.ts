/** Hides secret values in text that is about to be stored or shown. */
import { inspect } from "node:util";

/** Shorter values are not redacted: hiding every "a" would make logs unreadable and hide nothing. */
export const MIN_REDACTED_LENGTH = 4;
/** Lines of a multi-line secret (a PEM key) shorter than this are not redacted on their own. */
export const MIN_REDACTED_LINE_LENGTH = 8;
export const REDACTED = "***";

export type Redactor = (text: string) => string;

/**
 * The ways a secret's text can reach a record other than as itself: JSON-quoted (a thrown object, a
 * `%j`), quoted by the sandbox's console formatting and by Node's util.inspect, URL-encoded. Applied
 * twice, for a quoted string inside a quoted string (a JSON text in an object that is printed).
 */
const ESCAPES: readonly ((s: string) => string)[] = [
  (s) => JSON.stringify(s).slice(1, -1),
  (s) => s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n"),
  (s) => inspect(s).slice(1, -1),
  (s) => encodeURIComponent(s),
];

/**
 * Every text to mask for these secrets: each secret, its escaped forms, and each long enough line of a
 * multi-line one (a key printed line by line, or a stack that kept only some of its lines).
 * Distinct, long enough to redact, longest first (so the longest match wins at a position).
 */
export function redactionTargets(values: Iterable<string>): string[] {
  const targets = new Set<string>();
  for (const secret of values) {
    if (secret.length < MIN_REDACTED_LENGTH) continue;
    let forms = [secret];
    for (let round = 0; round < 2; round++) forms = forms.flatMap((f) => [f, ...ESCAPES.map((e) => e(f))]);
    for (const form of forms) targets.add(form);
    if (/[\r\n]/.test(secret)) {
      for (const line of secret.split(/\r?\n|\r/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_REDACTED_LINE_LENGTH) targets.add(trimmed);
      }
    }
  }
  return [...targets].filter((t) => t.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length);
}

export function createRedactor(values: Iterable<string>): Redactor {
  const targets = redactionTargets(values);
  if (targets.length === 0) return (text) => text;
  const pattern = new RegExp(targets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, REDACTED);
}

/** A copy of a record with every string value in it redacted (keys are the record's own field names). */
export function redactStrings<T>(value: T, redact: Redactor): T {
  return redactValue(value, redact) as T;
}

function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redact)]));
  }
  return value;
}
