import { StoreUnavailableError } from "@bosun/core";

/**
 * Turns whatever node:sqlite threw into a StoreUnavailableError that says what was being done and why
 * it failed, so callers (gateways answering 503, the worker backing off) never see a raw SQLite error.
 */
export function unavailable(doing: string, err: unknown, stage?: string): StoreUnavailableError {
  if (err instanceof StoreUnavailableError) return err;
  const where = stage ? `${stage}: ` : "";
  return new StoreUnavailableError(`SQLite store: ${doing} failed: ${where}${describe(err)}`, { cause: err });
}

/** For calls made after close(). */
export function closedError(doing: string): StoreUnavailableError {
  return new StoreUnavailableError(`SQLite store: ${doing} failed: the store is closed`);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { errcode, errstr, code } = err as Error & { errcode?: number; errstr?: string; code?: string };
  if (code === "ERR_INVALID_STATE") return "the database is closed";
  if (errcode !== undefined) {
    // errstr is SQLite's generic text for the code ("database is locked"); message the specific one.
    const detail = errstr && !err.message.includes(errstr) ? ` (${errstr})` : "";
    return `${err.message}${detail} [SQLite code ${errcode}]`;
  }
  return err.message;
}

/** Runs one synchronous database read or write, translating any failure. */
export function attempt<T>(doing: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw unavailable(doing, err);
  }
}
