import type { SQLOutputValue } from "node:sqlite";

export { defined, limitOf, now, num, optJson, optNum, optStr, str } from "../rows.js";

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;
