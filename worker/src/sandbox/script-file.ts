/** Finding a project's script: a file, or a folder holding one of the known names. */
import { realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";

/** Looked for in this order when given a folder. */
export const SCRIPT_NAMES = ["bosun.ts", "bosun.js", "brigade.ts", "brigade.js"] as const;

/**
 * The real absolute path of the script, or undefined when there is none. Real, because esbuild reports
 * its inputs by real path, and scripts often sit behind symlinks (Kubernetes ConfigMap mounts).
 */
export async function locateScript(path: string): Promise<string | undefined> {
  const abs = await realpath(resolve(path)).catch(() => undefined);
  if (!abs) return undefined;
  const found = await stat(abs).catch(() => undefined);
  if (!found) return undefined;
  if (found.isFile()) return abs;
  if (!found.isDirectory()) return undefined;
  for (const name of SCRIPT_NAMES) {
    const candidate = join(abs, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  return undefined;
}
