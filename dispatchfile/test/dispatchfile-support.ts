/**
 * Where the Dispatchfile tests find their files: the real ones copied into fixtures/dispatchfiles (and
 * the collection in ../shared/fixtures/dispatchfiles when it sits beside the checkout), and the
 * project's own.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (dispatchfile/dist/test → three levels up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The real Dispatchfiles copied into the repository (fixtures/README.md says what they are). */
export const COPIED_DISPATCHFILES = join(REPO_ROOT, "fixtures", "dispatchfiles");
const SHARED_DISPATCHFILES = join(REPO_ROOT, "..", "shared", "fixtures", "dispatchfiles");
export const OWN_DISPATCHFILES = join(REPO_ROOT, "dispatchfile", "test", "fixtures", "dispatchfiles");

export interface DispatchfileFolder {
  label: string;
  dir: string;
  /** True for the repository's copies, which hold exactly the files their tests know. */
  copies: boolean;
}

/** The repository's copies, then ../shared/fixtures/dispatchfiles when it is there. */
export function realDispatchfileFolders(): DispatchfileFolder[] {
  const folders = [{ label: "fixtures/dispatchfiles", dir: COPIED_DISPATCHFILES, copies: true }];
  if (existsSync(SHARED_DISPATCHFILES))
    folders.push({ label: "../shared/fixtures/dispatchfiles", dir: SHARED_DISPATCHFILES, copies: false });
  else
    before(() =>
      console.log(
        "    ../shared/fixtures not present: its Dispatchfiles not tried (the copies in fixtures/ were)",
      ),
    );
  return folders;
}

export function readOwn(relative: string): string {
  return readFileSync(join(OWN_DISPATCHFILES, relative), "utf8");
}

/** Dispatchfiles found in public repositories and in Dispatch's documentation, in their shapes. */
export const REAL_DISPATCHFILES = join(REPO_ROOT, "dispatchfile", "test", "fixtures", "dispatchfiles-real");

export function readReal(name: string): string {
  return readFileSync(join(REAL_DISPATCHFILES, name), "utf8");
}
