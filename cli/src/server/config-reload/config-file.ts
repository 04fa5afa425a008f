/** Reads bosun.yaml as `bosun serve` does: the file's text, its hash, and the config with the command's overrides. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fail, parseConfig, type Result, type ServerConfig } from "@bosun/core";

/** What the command line sets over the file (`--data`, `--host`, `--port`, `--store`); kept on every reload. */
export interface ConfigOverrides {
  dataDir?: string;
  host?: string;
  port?: number;
  storeUrl?: string;
}

export interface ConfigRead {
  /** SHA-256 of the file's content (hex), or undefined when it could not be read. */
  sha256?: string;
  result: Result<ServerConfig>;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export async function readConfigFile(
  file: string,
  overrides: ConfigOverrides,
  env: Record<string, string | undefined> = process.env,
): Promise<ConfigRead> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return {
      result: fail({
        code: "CONFIG_NOT_FOUND",
        message: `cannot read config file: ${(err as Error).message}`,
        file,
        expected: "a readable bosun.yaml (see docs/configuration.md)",
      }),
    };
  }
  const result = parseConfig(text, { file: resolve(file), env });
  if (result.value) applyOverrides(result.value, overrides);
  return { sha256: sha256(text), result };
}

export function applyOverrides(config: ServerConfig, overrides: ConfigOverrides): void {
  if (overrides.dataDir !== undefined) config.dataDir = resolve(overrides.dataDir);
  if (overrides.host !== undefined) config.host = overrides.host;
  if (overrides.port !== undefined) config.port = overrides.port;
  if (overrides.storeUrl !== undefined) config.store = { ...config.store, url: overrides.storeUrl };
}
