import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { open, type FileHandle } from "node:fs/promises";
import type { CredentialStore } from "../../credentials/store.js";
import type { Store } from "../types.js";
import { SqliteCredentialStore } from "./credentials.js";
import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import { retryWhileBusy } from "./busy.js";
import { migrate } from "./schema.js";
import { SqliteStore, type WalSync } from "./store.js";
import { unavailable } from "./unavailable.js";

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
/** After the WAL file could not be opened or synced, the next attempt waits at least this long. */
const REOPEN_AFTER_MS = 200;

/**
 * fdatasync of the WAL file, run on libuv's thread pool; close waits for the last one and for the
 * checkpointer that empties the WAL. The file stays open between syncs; a handle that failed to open
 * or to sync is dropped, and opened again on a later sync (at most every REOPEN_AFTER_MS), so a data
 * directory that was read-only or failing for a while is used again once it works.
 */
function walSyncer(file: string, checkpointer: Checkpointer): WalSync {
  let wal: Promise<FileHandle> | undefined;
  let failed: { err: unknown; at: number } | undefined;
  let last: Promise<void> = Promise.resolve();
  const drop = (handle: Promise<FileHandle>, err: unknown) => {
    if (wal === handle) wal = undefined;
    failed = { err, at: performance.now() };
    void handle.then((h) => h.close()).catch(() => undefined);
  };
  return {
    sync() {
      if (!wal && failed && performance.now() - failed.at < REOPEN_AFTER_MS)
        return Promise.reject(failed.err);
      const handle = (wal ??= open(`${file}-wal`, "r+"));
      const done = handle.then((h) => h.datasync());
      done.catch((err: unknown) => drop(handle, err));
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
