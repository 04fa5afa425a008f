/**
 * The store the gateway tests run against, in one place: the embedded SQLite store in a temporary
 * directory, with a short busy timeout so a held write lock turns into StoreUnavailableError quickly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Store, type StoredEvent, openSqliteStore } from "@bosun/store";

export interface TestStore {
  store: Store;
  /** Every stored event, oldest first. */
  events(): Promise<StoredEvent[]>;
  /** Takes the database's write lock from a second connection until the returned function is called. */
  holdWriteLock(): () => void;
  close(): Promise<void>;
}

const DB_FILE = "bosun.db";

export async function openTestStore(): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "bosun-gateways-"));
  const store = await openSqliteStore({ dataDir, file: DB_FILE, busyTimeoutMs: 50 });
  return {
    store,
    events: async () => (await store.listEvents({ limit: 1000 })).reverse(),
    holdWriteLock() {
      const db = new DatabaseSync(join(dataDir, DB_FILE));
      db.exec("BEGIN EXCLUSIVE");
      return () => {
        db.exec("ROLLBACK");
        db.close();
      };
    },
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
