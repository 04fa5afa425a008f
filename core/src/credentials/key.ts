/** Finds the operator's credentials key: credentials.keyFile in the config, else BOSUN_CREDENTIALS_KEY. */
import { readFileSync } from "node:fs";
import { fail, ok, type Result } from "../errors.js";
import { MIN_CREDENTIALS_KEY_LENGTH } from "./sealer.js";

export const CREDENTIALS_KEY_ENV = "BOSUN_CREDENTIALS_KEY";

const MAKE_ONE = "e.g. `head -c 32 /dev/urandom | base64 > key`";

/**
 * The key, trimmed (a key file usually ends in a newline), or undefined when neither is set. The file
 * wins over the environment: it is what the config, the more deliberate of the two, names. Problems
 * name the file or variable and never show the key.
 */
export function readCredentialsKey(
  keyFile: string | undefined,
  env: Record<string, string | undefined>,
): Result<string | undefined> {
  let key: string;
  let where: string;
  if (keyFile !== undefined) {
    where = `the credentials key file ${keyFile}`;
    try {
      key = readFileSync(keyFile, "utf8").trim();
    } catch (err) {
      return fail({
        code: "CONFIG_INVALID",
        message: `cannot read the credentials key file ${keyFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        path: "credentials.keyFile",
        expected: `a readable file holding at least ${MIN_CREDENTIALS_KEY_LENGTH} characters, ${MAKE_ONE}`,
      });
    }
  } else {
    const value = env[CREDENTIALS_KEY_ENV];
    if (!value) return ok(undefined);
    where = `the environment variable ${CREDENTIALS_KEY_ENV}`;
    key = value.trim();
  }
  if (key.length < MIN_CREDENTIALS_KEY_LENGTH) {
    return fail({
      code: "CONFIG_INVALID",
      message: `the credentials key in ${where} is too short (${key.length} characters)`,
      ...(keyFile !== undefined ? { path: "credentials.keyFile" } : {}),
      expected: `at least ${MIN_CREDENTIALS_KEY_LENGTH} characters, ${MAKE_ONE}`,
    });
  }
  return ok(key);
}
