/**
 * `bosun migrate`: create or upgrade the configured store's schema, then exit (as before a rollout,
 * or from a Kubernetes Job). serve, gateway and worker migrate at start too; unlike them, this one
 * does not wait for a database that is not up: it fails at once, saying why.
 */
import type { Command } from "commander";
import { BosunError, STORE_URL_ENV } from "@bosun/core";
import { openPostgresStore, openSqliteStore } from "@bosun/store";
import { prepareDataDir } from "../server/data-dir.js";
import { storeLocation } from "../server/open-store.js";
import { refuse } from "./common.js";
import { readConfig, type ServeOpts } from "./serve.js";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description(
      "create or upgrade the store's schema, then exit (serve, gateway and worker also do at start)",
    )
    .option("--config <file>", "server config", undefined)
    .option("--data <dir>", "data directory of the SQLite store (overrides server.dataDir)")
    .option("--store <url>", `PostgreSQL store, postgres://... (overrides store.url and ${STORE_URL_ENV})`)
    .action((o: ServeOpts) => migrate(o));
}

async function migrate(o: ServeOpts): Promise<void> {
  const read = await readConfig(o);
  if (!read) return;
  const { config } = read;
  try {
    if (!config.store) {
      const failed = await prepareDataDir(config.dataDir);
      if (failed) throw failed;
    }
    const store = config.store
      ? await openPostgresStore({ url: config.store.url, password: config.store.password, poolSize: 1 })
      : await openSqliteStore({ dataDir: config.dataDir });
    await store.close();
  } catch (err) {
    return refuse(
      `cannot migrate: ${(err as Error).message}`,
      err instanceof BosunError ? err.code : "INTERNAL",
    );
  }
  process.stdout.write(`store schema up to date: ${storeLocation(config)}\n`);
}
