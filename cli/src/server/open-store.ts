import type { ServerConfig } from "@bosun/core";
import {
  describeServer,
  openPostgresStoreReopening,
  openSqliteStoreReopening,
  type PostgresStoreWithCredentials,
  type SqliteStoreWithCredentials,
} from "@bosun/store";
import type { Logger } from "./logger.js";

export type OpenedStore = SqliteStoreWithCredentials | PostgresStoreWithCredentials;

/** Where the configured store keeps its data, for people: never the URL itself (it may hold a password). */
export function storeLocation(config: Pick<ServerConfig, "store" | "dataDir">): string {
  return config.store ? `PostgreSQL at ${describeServer(config.store.url)}` : `SQLite in ${config.dataDir}`;
}

/**
 * Opens the store the configuration names: PostgreSQL when store.url (or BOSUN_STORE_URL, or
 * --store) is set, shared by every gateway and worker on it; else SQLite in the data directory.
 */
export function openConfiguredStore(
  config: Pick<ServerConfig, "store" | "dataDir">,
  logger: Logger,
): Promise<OpenedStore> {
  if (config.store) {
    const { url, password, poolSize } = config.store;
    // A database that is not up yet (it may start after Bosun) is connected to later; meanwhile 503s.
    return openPostgresStoreReopening({ url, password, poolSize }, (err) =>
      logger.warn({ error: err.message }, "the store cannot be reached; it is tried again on later requests"),
    );
  }
  // Lock waits are short retries from timers (the default 250 ms in all): a locked store answers 503 fast.
  // A data directory that is read-only (or failing) at start is opened later, once it works.
  return openSqliteStoreReopening({ dataDir: config.dataDir }, (err) =>
    logger.warn({ error: err.message }, "the store cannot be opened; it is tried again on later requests"),
  );
}
