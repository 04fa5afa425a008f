/**
 * Kubernetes' naming rules, applied to names and labels that come from projects and scripts:
 * object names as DNS-1123 labels (lowercase alphanumerics and '-', at most 63), label keys as
 * `[prefix/]name` and label values as at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends.
 */
import { createHash } from "node:crypto";

export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isLabelValue(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && LABEL_VALUE.test(value);
}

export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && DNS_LABEL.test(value);
}

/** "ünïcödé" → "unicode": accents dropped rather than turned into dashes. */
function plain(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
}

/**
 * Lowercase alphanumerics and single dashes, no dash at either end; may be empty. ("(?<!-)" here and
 * below tries a trailing run once, from its start, not again from each of its characters.)
 */
export function slug(text: string): string {
  return plain(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|(?<!-)-+$/g, "");
}

export function shortHash(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * `<prefix>-<readable parts>-<hash>`, within 63 characters. The readable part is cut to fit; the
 * hash of the uncut parts keeps names that were cut to the same text apart.
 */
export function objectName(prefix: string, parts: readonly string[], hashOf: readonly unknown[]): string {
  const hash = shortHash(hashOf);
  const readable = [prefix, ...parts].map(slug).filter(Boolean).join("-");
  const room = MAX_NAME_LENGTH - HASH_LENGTH - 1;
  return `${readable.slice(0, room).replace(/(?<!-)-+$/, "")}-${hash}`;
}

/** A label value that Kubernetes accepts and that stays recognisable: invalid runs become '-'. */
export function labelValue(value: string): string {
  return plain(value)
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_NAME_LENGTH)
    .replace(/(?<![^A-Za-z0-9])[^A-Za-z0-9]+$/, "");
}

/** A label or annotation key Kubernetes accepts, or undefined when nothing usable is left. */
export function labelKey(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const name = labelValue(slash < 0 ? key : key.slice(slash + 1));
  if (!name) return undefined;
  if (slash < 0) return name;
  const prefix = key
    .slice(0, slash)
    .split(".")
    .map((part) =>
      part
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+/, "")
        .slice(0, MAX_NAME_LENGTH)
        .replace(/(?<!-)-+$/, ""),
    )
    .filter(Boolean)
    .join(".")
    .slice(0, 253)
    .replace(/(?<![-.])[-.]+$/, "");
  return prefix ? `${prefix}/${name}` : name;
}

/** Labels with keys and values made valid; keys that cannot be saved are dropped. */
export function sanitiseLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const k = labelKey(key);
    if (k) out[k] = labelValue(value);
  }
  return out;
}
