/**
 * Applies a changed bosun.yaml to a running process. A file that reads the same as the one running
 * (same hash) does nothing; a file with errors is refused and logged, and the running config is kept;
 * a good one has its projects applied at once, and its other changed settings reported as needing a
 * restart. Reloads run one at a time, in the order asked.
 */
import { formatProblems, type ServerConfig } from "@bosun/core";
import type { Logger } from "../logger.js";
import type { ConfigRead } from "./config-file.js";
import { diffConfig, isEmptyDiff, type ConfigDiff } from "./diff.js";

export type ReloadOutcome =
  | { result: "unchanged" }
  | { result: "refused"; sha256?: string }
  | { result: "applied"; sha256: string; diff: ConfigDiff };

export interface ConfigStatus {
  /** SHA-256 of the file content running, and when it was loaded (ISO 8601). */
  sha256: string;
  loadedAt: string;
  /** The latest file read, when it was refused: the running config is older than the file. */
  refused?: { sha256?: string; at: string };
}

export interface ReloaderOptions {
  /** The config the process started with (overrides applied), and its file's hash. */
  started: ServerConfig;
  sha256: string;
  read(): Promise<ConfigRead>;
  /** Makes `next` the running config (its projects; the rest is read only at start). */
  apply(next: ServerConfig, diff: ConfigDiff): void;
  logger: Logger;
  /** Counts each reload by result: applied or refused. */
  count?(result: "applied" | "refused"): void;
  now?(): Date;
}

export class ConfigReloader {
  private running: ServerConfig;
  private readonly started: ServerConfig;
  private sha: string;
  private loadedAt: Date;
  private refused?: { sha256?: string; at: Date };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReloaderOptions) {
    this.started = options.started;
    this.running = options.started;
    this.sha = options.sha256;
    this.loadedAt = this.now();
  }

  status(): ConfigStatus {
    return {
      sha256: this.sha,
      loadedAt: this.loadedAt.toISOString(),
      ...(this.refused
        ? { refused: { sha256: this.refused.sha256, at: this.refused.at.toISOString() } }
        : {}),
    };
  }

  /** Reads the file again and applies it; `reason` is logged ("changed", "SIGHUP"). */
  reload(reason: string): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow(reason));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(reason: string): Promise<ReloadOutcome> {
    const { logger } = this.options;
    const read = await this.options.read();
    const seen = this.refused ? this.refused.sha256 : this.sha;
    if (read.sha256 !== undefined && read.sha256 === seen) {
      logger.debug({ reason, sha256: read.sha256 }, "configuration file unchanged");
      return { result: "unchanged" };
    }
    const { result } = read;
    if (result.errors) {
      this.refused = { sha256: read.sha256, at: this.now() };
      this.options.count?.("refused");
      logger.error(
        { reason, sha256: read.sha256, problems: result.errors },
        `configuration refused; the running one is kept:\n${formatProblems(result.errors)}`,
      );
      return { result: "refused", sha256: read.sha256 };
    }
    const sha256 = read.sha256 ?? "";
    const diff = diffConfig(this.running, result.value);
    // Only the projects run from the new file; the rest stays as started, so compare with that.
    diff.needsRestart = diffConfig(this.started, result.value).needsRestart;
    this.options.apply(result.value, diff);
    this.running = result.value;
    this.sha = sha256;
    this.loadedAt = this.now();
    this.refused = undefined;
    this.options.count?.("applied");
    logReload(logger, reason, sha256, diff);
    return { result: "applied", sha256, diff };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** Names only: a project's keys that changed, never their values (tokens, secrets). */
function logReload(logger: Logger, reason: string, sha256: string, diff: ConfigDiff): void {
  const { added, changed, removed, needsRestart } = diff;
  const parts = [
    added.length > 0 ? `added ${added.join(", ")}` : "",
    changed.length > 0 ? `changed ${changed.map((c) => `${c.name} (${c.keys.join(", ")})`).join(", ")}` : "",
    removed.length > 0 ? `removed ${removed.join(", ")}` : "",
  ].filter(Boolean);
  const what = parts.length > 0 ? parts.join("; ") : "no project changed";
  logger.info(
    { reason, sha256, added, changed, removed },
    `configuration applied: ${isEmptyDiff(diff) ? "no setting changed" : what}`,
  );
  if (needsRestart.length > 0) {
    logger.warn(
      { reason, needsRestart },
      `configuration: ${needsRestart.join(", ")} changed but needs a restart; the running values are kept until then`,
    );
  }
}
