/** Hides secret values in text that is about to be stored or shown. */

/** Shorter values are not redacted: hiding every "a" would make logs unreadable and hide nothing. */
export const MIN_REDACTED_LENGTH = 4;
export const REDACTED = "***";

export type Redactor = (text: string) => string;

export function createRedactor(values: Iterable<string>): Redactor {
  const secrets = [...new Set(values)]
    .filter((v) => v.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  const pattern = new RegExp(secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, REDACTED);
}
