/** bosun serve · bosun gateway · bosun worker: start the server, or one of its pieces. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  BosunError,
  formatProblems,
  parseConfig,
  STORE_URL_ENV,
  storeUrlProblem,
  WEBHOOK_REGISTRY_KINDS,
  type RegistryKind,
  type ServerConfig,
} from "@bosun/core";
import { storeLocation } from "../server/open-store.js";
import { storeAnswersWithin } from "../server/store-deadline.js";
import { refuse } from "./common.js";
import { startServer, type StartOptions } from "../server/server.js";
import { applyOverrides, readConfigFile, type ConfigOverrides } from "../server/config-reload/config-file.js";
import type { ConfigFileSource } from "../server/config-reload/start.js";

export interface ServeOpts {
  config?: string;
  data?: string;
  port?: string;
  host?: string;
  registry?: string;
  store?: string;
  storeConnectTimeout?: string;
}

export function registerServeCommands(program: Command): void {
  const common = (cmd: Command) =>
    cmd
      .option("--config <file>", "server config", undefined)
      .option("--data <dir>", "data directory (overrides server.dataDir)")
      .option("--port <port>", "HTTP port (overrides server.port)")
      .option("--host <host>", "listen address (overrides server.host)")
      .option("--store <url>", `PostgreSQL store, postgres://... (overrides store.url and ${STORE_URL_ENV})`)
      .option(
        "--store-connect-timeout <seconds>",
        "PostgreSQL: stop the start if the database has not answered within this long (default: wait on)",
      );

  common(program.command("serve"))
    .description("gateways, worker and API in one process, on the embedded store (or --store)")
    .action((o: ServeOpts) => serve(o, {}));
  common(program.command("gateway"))
    .description("one registry's gateway alone, against the shared store")
    .requiredOption("--registry <kind>", `one of ${WEBHOOK_REGISTRY_KINDS.join(", ")}`)
    .action((o: ServeOpts) => {
      if (!(WEBHOOK_REGISTRY_KINDS as readonly string[]).includes(o.registry ?? "")) {
        return refuse(
          `unknown registry "${o.registry}"; expected one of ${WEBHOOK_REGISTRY_KINDS.join(", ")}`,
        );
      }
      return serve(o, { worker: false, registries: [o.registry as RegistryKind] });
    });
  common(program.command("worker"))
    .description("the queue consumer alone (with health, metrics and the API), against the shared store")
    .action((o: ServeOpts) => serve(o, { gateways: false }));
}

async function serve(o: ServeOpts, options: StartOptions): Promise<void> {
  const read = await readConfig(o);
  if (!read) return;
  const { config, configFile } = read;
  const timeout = o.storeConnectTimeout;
  if (timeout !== undefined && !/^[0-9]+$/.test(timeout)) {
    return refuse(`--store-connect-timeout: expected whole seconds, found "${timeout}"`);
  }
  const server = await startServer(config, { ...options, configFile }).catch((err: Error) =>
    refuse(`cannot start: ${err.message}`, err instanceof BosunError ? err.code : "INTERNAL"),
  );
  if (!server) return;
  // SIGHUP re-reads the file (its default would end the process).
  process.on("SIGHUP", () => {
    void server.reloadConfig("SIGHUP").then((outcome) => {
      if (!outcome) process.stderr.write("SIGHUP: no config file to read again\n");
    });
  });
  process.stderr.write(`bosun listening on ${server.url} (store: ${storeLocation(config)})\n`);
  if (timeout !== undefined && config.store) {
    // Serving (503) meanwhile; past the bound the process ends, as a start that failed.
    storeAnswersWithin(server.store, Number(timeout) * 1000).catch((err: unknown) => {
      void server.close().finally(() => {
        const cause = (err as Error).cause;
        refuse(
          `cannot start: ${(err as Error).message}`,
          cause instanceof BosunError ? cause.code : "INTERNAL",
        );
        process.exit();
      });
    });
  }
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

/** The config, and the file it came from (to be watched), with the command line's overrides applied. */
export async function readConfig(
  o: ServeOpts,
): Promise<{ config: ServerConfig; configFile?: ConfigFileSource } | undefined> {
  const overrides: ConfigOverrides = { dataDir: o.data || undefined, host: o.host || undefined };
  if (o.store !== undefined) {
    const problem = storeUrlProblem(o.store, "--store");
    if (problem) return refuse(`${problem.message}: expected ${problem.expected}`);
    overrides.storeUrl = o.store;
  }
  if (o.port !== undefined) {
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      return refuse(`--port: expected 0-65535, found "${o.port}"`);
    overrides.port = port;
  }
  const file = o.config ?? (existsSync("bosun.yaml") ? "bosun.yaml" : undefined);
  if (!file) {
    const result = parseConfig("", { file: resolve("bosun.yaml"), env: process.env });
    if (result.errors)
      return refuse(`invalid configuration:\n${formatProblems(result.errors)}`, "CONFIG_INVALID");
    applyOverrides(result.value, overrides);
    process.stderr.write("no bosun.yaml here and no --config: serving no projects\n");
    return { config: result.value };
  }
  const { sha256, result } = await readConfigFile(file, overrides);
  if (result.errors)
    return refuse(`invalid configuration:\n${formatProblems(result.errors)}`, "CONFIG_INVALID");
  return { config: result.value, configFile: { path: resolve(file), overrides, sha256: sha256 ?? "" } };
}
