import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { CredentialStore } from "../credentials/store.js";
import type { Store } from "../types.js";
import { SqliteCredentialStore } from "./credentials.js";
import { startCheckpointer } from "./checkpointer.js";
import { retryWhileBusy } from "./busy.js";
import { migrate } from "./schema.js";
import { SqliteStore } from "./store.js";
import { unavailable } from "./unavailable.js";
import { walSyncer } from "./wal-sync.js";

export interface SqliteStoreOptions {
  /** Created when missing. */
  dataDir: string;
  /** Database file; relative paths are inside dataDir. Default "bosun.db". */
  file?: string;
  /**
   * How long a write waits, in all, for another process's lock before failing with
   * StoreUnavailableError. The wait is a series of short retries from a timer, so the event loop goes
   * on meanwhile (see GroupCommitter). Default 250.
   */
  busyTimeoutMs?: number;
}

/** Opening (and migrating) may wait longer for a lock: nothing is being answered yet. */
const OPEN_BUSY_MS = 5_000;
/** The store, and the logins kept in the same file (see SqliteCredentialStore). */
export type SqliteStoreWithCredentials = Store & { readonly credentials: CredentialStore };

/**
 * Opens (creating and migrating when needed) the embedded store: one SQLite file in WAL mode, whose
 * WAL is synced before any commit is acknowledged, because a 2xx to a registry promises that its push
 * survives a power cut.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStoreWithCredentials> {
  const file = resolve(options.dataDir, options.file ?? "bosun.db");
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    mkdirSync(dirname(file), { recursive: true });
    // timeout 0: SQLite's busy wait would sleep on the event loop; waits are retries from timers instead.
    const opened = (db = new DatabaseSync(file, { timeout: 0 }));
    const mode = await retryWhileBusy(
      () => opened.prepare("PRAGMA journal_mode = WAL").get()?.["journal_mode"],
      OPEN_BUSY_MS,
    );
    if (mode !== "wal") throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
    // NORMAL: commits do not fsync on the event loop; the committer syncs the WAL off it instead, and
    // answers only after that, so durability is FULL's.
    db.exec("PRAGMA synchronous = NORMAL");
    await retryWhileBusy(() => migrate(opened), OPEN_BUSY_MS);
    const wal = walSyncer(file, startCheckpointer(db, file));
    const busyBudgetMs = options.busyTimeoutMs ?? 250;
    const credentials = new SqliteCredentialStore(db, () => wal.sync(), busyBudgetMs);
    const store = new SqliteStore(db, { wal, busyBudgetMs, dir: dirname(file) });
    return Object.assign(store, { credentials });
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already failing; the open error is the one worth reporting.
    }
    throw unavailable(`opening ${file}`, err);
  }
}
