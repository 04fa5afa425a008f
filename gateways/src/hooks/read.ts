/** Reading registry API answers, which are untrusted JSON: absent or mistyped fields read as empty. */

export type Fields = Readonly<Record<string, unknown>>;

export function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The objects of an array (others dropped); an empty list for anything that is not an array. */
export function objectsOf(value: unknown): Fields[] {
  return Array.isArray(value) ? value.filter(isFields) : [];
}

export function fieldsOf(value: unknown, key: string): Fields {
  const inner = isFields(value) ? value[key] : undefined;
  return isFields(inner) ? inner : {};
}

export function textOf(value: unknown, key: string): string | undefined {
  const inner = isFields(value) ? value[key] : undefined;
  return typeof inner === "string" ? inner : undefined;
}

/** A string or number id as text. */
export function idOf(value: unknown, key: string): string | undefined {
  const inner = isFields(value) ? value[key] : undefined;
  if (typeof inner === "number" && Number.isSafeInteger(inner)) return String(inner);
  return typeof inner === "string" && inner !== "" ? inner : undefined;
}

export function flagOf(value: unknown, key: string): boolean | undefined {
  const inner = isFields(value) ? value[key] : undefined;
  return typeof inner === "boolean" ? inner : undefined;
}

export function textsOf(value: unknown, key: string): string[] {
  const inner = isFields(value) ? value[key] : undefined;
  return Array.isArray(inner) ? inner.filter((x): x is string => typeof x === "string") : [];
}
