import { ReopeningStore } from "../reopening.js";
import { openSqliteStore, type SqliteStoreOptions, type SqliteStoreWithCredentials } from "./index.js";
import { closedError } from "./unavailable.js";

/**
 * Opens the store like openSqliteStore, but a database that cannot be opened because of where it
 * lives (a read-only, full or missing data directory; any I/O or SQLite failure) does not stop the
 * caller: it gets a store that answers StoreUnavailableError and opens the database on a later call,
 * with back-off, once it can. Other failures (a schema newer than this Bosun) still reject.
 * `onFailure` hears each failed attempt, for the log.
 */
export async function openSqliteStoreReopening(
  options: SqliteStoreOptions,
  onFailure?: (err: Error) => void,
): Promise<SqliteStoreWithCredentials> {
  try {
    return await openSqliteStore(options);
  } catch (err) {
    if (!fromEnvironment(err)) throw err;
    onFailure?.(err as Error);
    return new ReopeningStore(() => openSqliteStore(options), err, closedError, onFailure);
  }
}

/** An error with an errno (EROFS, ENOSPC…) or a SQLite code somewhere in its causes. */
function fromEnvironment(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const { errcode, errno } = e as Error & { errcode?: number; errno?: number };
    if (errcode !== undefined || errno !== undefined) return true;
  }
  return false;
}
