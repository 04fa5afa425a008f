import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (cli/dist/test/support → four levels up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** A folder of the real payloads, scripts and Dispatchfiles copied into fixtures/ (see its README). */
export function realFixture(relative: string): string {
  return join(REPO_ROOT, "fixtures", relative);
}
