/**
 * The host executor's stand-in for a container's filesystem: a fresh temporary directory per job.
 *
 * There is no container, so a mount cannot appear at its absolute target. Instead the job directory
 * acts as the root for the paths a spec names: a mount with target "/shared" becomes a symlink
 * `<job dir>/shared` → source, and workingDir "/shared" means `<job dir>/shared`. Relative paths in
 * tasks therefore reach mounts; absolute paths reach the host itself. Jobs get the directory as
 * $BOSUN_JOB_DIR (e.g. `$BOSUN_JOB_DIR/shared/note.txt`). `readOnly` cannot be enforced by a symlink
 * and is not: the host executor is for development only (docs/configuration.md, "Executors").
 */
import type { JobSpec } from "@bosun/core";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

export interface JobDirectory {
  /** The temporary directory; removed by `remove`. */
  root: string;
  /** Where the job's shell starts: the root, or workingDir inside it. */
  cwd: string;
  remove(): Promise<void>;
}

/** A path of the spec (absolute or relative) placed inside the job directory, never above it. */
export function insideJobDirectory(root: string, path: string): string {
  return join(root, resolve("/", path));
}

export async function createJobDirectory(base: string, spec: JobSpec): Promise<JobDirectory> {
  // The work root may be new (a server's first host job), or removed by a tidy-up since.
  await mkdir(base, { recursive: true, mode: 0o700 });
  const root = await mkdtemp(join(base, "bosun-job-"));
  // Removal unlinks the symlinks and never follows them: mounted directories are left alone.
  const remove = () => rm(root, { recursive: true, force: true, maxRetries: 2 });
  try {
    for (const mount of spec.mounts ?? []) {
      const link = insideJobDirectory(root, mount.target);
      if (link === root) throw new Error(`mount target ${JSON.stringify(mount.target)} is the job's root`);
      await mkdir(dirname(link), { recursive: true });
      await symlink(resolve(mount.source), link, "dir");
    }
    const cwd = spec.workingDir ? insideJobDirectory(root, spec.workingDir) : root;
    await mkdir(cwd, { recursive: true });
    return { root, cwd, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
