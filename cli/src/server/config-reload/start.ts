/** Watches the config file of a running process and applies it when it changes (and on demand: SIGHUP). */
import type { ServerConfig } from "@bosun/core";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { readConfigFile, type ConfigOverrides } from "./config-file.js";
import type { ConfigDiff } from "./diff.js";
import { ConfigReloader } from "./reloader.js";
import { watchConfigFile } from "./watch.js";

export interface ConfigFileSource {
  /** The file the process was started from. */
  path: string;
  /** The command line's settings over the file, kept on every reload. */
  overrides: ConfigOverrides;
  /** SHA-256 of the content the process started with. */
  sha256: string;
  /** Quiet time after a burst of change events (default 200 ms). */
  debounceMs?: number;
}

export interface LiveConfig {
  reloader: ConfigReloader;
  /** Settles once a change made between the first read and the watch has been looked at. */
  ready: Promise<void>;
  close(): void;
}

export function startConfigReload(
  source: ConfigFileSource,
  started: ServerConfig,
  apply: (next: ServerConfig, diff: ConfigDiff) => void,
  deps: { logger: Logger; metrics: Metrics },
): LiveConfig {
  const { logger, metrics } = deps;
  const reloader = new ConfigReloader({
    started,
    sha256: source.sha256,
    read: () => readConfigFile(source.path, source.overrides),
    apply,
    logger,
    count: (result) => metrics.configReloads.inc({ result }),
  });
  const changed = () =>
    reloader.reload("changed").then(
      () => watch.follow(),
      (err: Error) => logger.error({ err }, "configuration reload failed"),
    );
  const watch = watchConfigFile(source.path, changed, {
    debounceMs: source.debounceMs,
    onWatchError: (folder, error) =>
      logger.warn(
        { folder, error: error.message },
        "the config file's folder cannot be watched; changes apply on SIGHUP",
      ),
  });
  // The same file as read at first does nothing.
  return { reloader, ready: changed(), close: () => watch.close() };
}
