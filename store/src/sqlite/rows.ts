import type { SQLOutputValue } from "node:sqlite";

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

/** A column that is NOT NULL in the schema. */
export function str(row: Row, column: string): string {
  return String(row[column]);
}

export function num(row: Row, column: string): number {
  return Number(row[column]);
}

/** A nullable column: undefined for NULL, so the caller can leave the property out. */
export function optStr(row: Row, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : String(value);
}

export function optNum(row: Row, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : Number(value);
}

export function optJson<T>(row: Row, column: string): T | undefined {
  const value = optStr(row, column);
  return value === undefined ? undefined : (JSON.parse(value) as T);
}

/** Copies only the keys whose value is defined: returned records carry no `key: undefined`. */
export function defined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

/** Current time in RFC 3339, as every stored timestamp. */
export function now(): string {
  return new Date().toISOString();
}

/** A query's limit as a SQL LIMIT; pass fallback -1 for "no limit" (SQLite reads LIMIT -1 so). */
export function limitOf(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  return Math.max(0, Math.floor(limit));
}
