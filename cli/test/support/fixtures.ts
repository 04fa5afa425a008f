import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (cli/dist/test/support → four levels up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** A folder of ../shared/fixtures, read in place; fails clearly when the shared folder is missing. */
export function sharedFixture(relative: string): string {
  const dir = join(REPO_ROOT, "..", "shared", "fixtures", relative);
  if (!existsSync(dir))
    throw new Error(
      `shared fixtures not found at ${dir}: run the tests from a checkout with ../shared beside it`,
    );
  return dir;
}
