import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { open, type FileHandle } from "node:fs/promises";
import type { CredentialStore } from "../../credentials/store.js";
import type { Store } from "../types.js";
import { SqliteCredentialStore } from "./credentials.js";
import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import { migrate } from "./schema.js";
import { SqliteStore, type WalSync } from "./store.js";
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
 * fdatasync of the WAL file (opened once), run on libuv's thread pool; close waits for the last one
 * and for the checkpointer that empties the WAL.
 */
function walSyncer(file: string, checkpointer: Checkpointer): WalSync {
  let wal: Promise<FileHandle> | undefined;
  let last: Promise<void> = Promise.resolve();
  return {
    sync() {
      wal ??= open(`${file}-wal`, "r+");
      const done = wal.then((handle) => handle.datasync());
      last = done.catch(() => undefined);
      return done;
    },
    async close() {
      await last;
      await (await wal?.catch(() => undefined))?.close();
      await checkpointer.close();
    },
  };
}

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
    db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5000 });
    const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.["journal_mode"];
    if (mode !== "wal") throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
    // NORMAL: commits do not fsync on the event loop; the committer syncs the WAL off it instead, and
    // answers only after that, so durability is FULL's.
    db.exec("PRAGMA synchronous = NORMAL");
    migrate(db);
    const wal = walSyncer(file, startCheckpointer(db, file));
    const credentials = new SqliteCredentialStore(db, () => wal.sync());
    return Object.assign(new SqliteStore(db, wal), { credentials });
  } catch (err) {
    try {
      db?.close();
    } catch {
      // Already failing; the open error is the one worth reporting.
    }
    throw unavailable(`opening ${file}`, err);
  }
}
