/** Which store the server uses: SQLite in the data directory by default, or a PostgreSQL database. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fail, ok, type Problem, type Result } from "../errors.js";
import type { StoreConfig } from "./types.js";

/** Names the PostgreSQL store's URL, over bosun.yaml's store.url (`--store` is over both). */
export const STORE_URL_ENV = "BOSUN_STORE_URL";

const EXPECTED_URL = "a PostgreSQL URL, postgres://user@host:5432/database";

/** What is wrong with a store URL, if anything; the URL itself is never repeated (it may hold a password). */
export function storeUrlProblem(url: string, where: string): Problem | undefined {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === "postgres:" || parsed.protocol === "postgresql:") && parsed.hostname)
    return undefined;
  return {
    code: "CONFIG_INVALID",
    message: `${where} is not a PostgreSQL URL`,
    expected: EXPECTED_URL,
    found: "(hidden)",
  };
}

export interface RawStore {
  url?: string | undefined;
  password?: string | undefined;
  passwordFile?: string | undefined;
  poolSize?: number | undefined;
}

/** The store section with the environment's URL applied and the password file read. */
export function resolveStore(
  raw: RawStore | undefined,
  env: Record<string, string | undefined>,
  base: string,
): Result<StoreConfig | undefined> {
  const fromEnv = env[STORE_URL_ENV];
  const url = fromEnv || raw?.url;
  if (!url) return ok(undefined);
  const problem = fromEnv
    ? storeUrlProblem(fromEnv, `the environment variable ${STORE_URL_ENV}`)
    : storeUrlProblem(url, "store.url");
  if (problem) return fail(fromEnv ? problem : { ...problem, path: "store.url" });
  const store: StoreConfig = { url };
  if (raw?.poolSize !== undefined) store.poolSize = raw.poolSize;
  if (raw?.password !== undefined) store.password = raw.password;
  if (raw?.passwordFile !== undefined) {
    const file = resolve(base, raw.passwordFile);
    try {
      store.password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      return fail({
        code: "CONFIG_INVALID",
        message: `cannot read the store password file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        path: "store.passwordFile",
        expected: "a readable file holding the database password",
      });
    }
  }
  return ok(store);
}
