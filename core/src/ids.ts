import { monotonicFactory } from "ulid";

const next = monotonicFactory();

/** A new ULID: unique, and sortable by creation time within and across processes. */
export function newId(): string {
  return next();
}
