import { open, type FileHandle } from "node:fs/promises";
import type { Checkpointer } from "./checkpointer.js";
import type { WalSync } from "./store.js";

/** After the WAL file could not be opened or synced, the next attempt waits at least this long. */
const REOPEN_AFTER_MS = 200;

/**
 * fdatasync of the WAL file, run on libuv's thread pool; close waits for the last one and for the
 * checkpointer that empties the WAL. The file stays open between syncs; a handle that failed to open
 * or to sync is dropped, and opened again on a later sync (at most every REOPEN_AFTER_MS), so a data
 * directory that was read-only or failing for a while is used again once it works.
 */
export function walSyncer(file: string, checkpointer: Checkpointer): WalSync {
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
