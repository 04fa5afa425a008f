/** Where the Dispatchfile tests find their files: the shared fixtures (read in place) and the project's own. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (core/dist/test → three levels up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const SHARED_DISPATCHFILES = join(REPO_ROOT, "..", "shared", "fixtures", "dispatchfiles");
export const OWN_DISPATCHFILES = join(REPO_ROOT, "dispatchfile", "test", "fixtures", "dispatchfiles");

export function sharedDispatchfiles(): string {
  if (!existsSync(SHARED_DISPATCHFILES))
    throw new Error(
      `shared fixtures not found at ${SHARED_DISPATCHFILES}: run the tests with ../shared beside the checkout`,
    );
  return SHARED_DISPATCHFILES;
}

export function readOwn(relative: string): string {
  return readFileSync(join(OWN_DISPATCHFILES, relative), "utf8");
}

/** Dispatchfiles found in public repositories and in Dispatch's documentation, in their shapes. */
export const REAL_DISPATCHFILES = join(REPO_ROOT, "dispatchfile", "test", "fixtures", "dispatchfiles-real");

export function readReal(name: string): string {
  return readFileSync(join(REAL_DISPATCHFILES, name), "utf8");
}
