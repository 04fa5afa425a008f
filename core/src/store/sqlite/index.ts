import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Store } from "../types.js";
import { migrate } from "./schema.js";
import { SqliteStore } from "./store.js";
import { unavailable } from "./unavailable.js";

export interface SqliteStoreOptions {
  /** Created when missing. */
  dataDir: string;
  /** Database file; relative paths are inside dataDir. Default "bosun.db". */
  file?: string;
  /**
   * How long a write waits for another process's lock before failing with StoreUnavailableError.
   * node:sqlite is synchronous, so the wait blocks this process's event loop. Default 5000.
   */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating when needed) the embedded store: one SQLite file in WAL mode, with
 * synchronous=FULL because a 2xx to a registry promises that its push survives a power cut.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const file = resolve(options.dataDir, options.file ?? "bosun.db");
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    mkdirSync(dirname(file), { recursive: true });
    db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5000 });
    const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.["journal_mode"];
    if (mode !== "wal") throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
    db.exec("PRAGMA synchronous = FULL");
    migrate(db);
    return new SqliteStore(db);
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already failing; the open error is the one worth reporting.
    }
    throw unavailable(`opening ${file}`, err);
  }
}
