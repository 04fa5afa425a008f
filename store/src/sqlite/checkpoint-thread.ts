/**
 * Runs in a worker thread: copies committed WAL frames into the database file every few hundred
 * milliseconds, on its own connection. node:sqlite is synchronous, so a checkpoint on the main
 * connection (SQLite's automatic one, every 1000 pages) stopped the event loop for the copy and the
 * database file's fsync, in the middle of answering webhooks.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DatabaseSync } from "node:sqlite";

const { file, everyMs } = workerData as { file: string; everyMs: number };
// timeout 0: a checkpoint that finds the database busy simply waits for the next tick.
const db = new DatabaseSync(file, { timeout: 0 });
// A checkpoint syncs the database file before the WAL may be reused (the WAL itself is already synced).
db.exec("PRAGMA synchronous = NORMAL");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");

function tick(): void {
  try {
    checkpoint.get();
  } catch {
    // Busy or interrupted: the frames stay in the WAL, durable, and the next tick copies them.
  }
}

const timer = setInterval(tick, everyMs);
parentPort?.once("message", () => {
  clearInterval(timer);
  tick();
  db.close();
  parentPort?.close();
});
