/** Checkpoints off the event loop, in a worker thread (see checkpoint-thread.ts). */
import { Worker } from "node:worker_threads";
import type { DatabaseSync } from "node:sqlite";

export interface Checkpointer {
  /** Stops the thread after a last checkpoint; resolves when it has exited. */
  close(): Promise<void>;
}

/**
 * If the thread falls behind or is gone, SQLite's own checkpoint on the main connection still bounds
 * the WAL, at this many pages (about 40 MiB) instead of its default 1000.
 */
const BACKSTOP_PAGES = 10_000;

export function startCheckpointer(db: DatabaseSync, file: string, everyMs = 200): Checkpointer {
  db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const thread = new Worker(new URL("./checkpoint-thread.js", import.meta.url), {
    workerData: { file, everyMs },
  });
  // A thread that cannot start or dies leaves the backstop in charge; nothing is lost either way.
  thread.on("error", () => undefined);
  thread.unref();
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  return {
    async close() {
      // Referenced again while it stops: otherwise a process with nothing else to do would end
      // before the thread's exit, leaving this promise (and whatever awaits the close) unsettled.
      thread.ref();
      thread.postMessage("stop");
      await exited;
    },
  };
}
