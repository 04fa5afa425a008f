/**
 * The data directory holds the store, the admin token, run workspaces and project caches, all the
 * server's alone: it is made (or kept) 0700, so that nothing a job leaves there (a setuid binary in
 * a cache, say) is reachable by the machine's other users.
 */
import { chmod, mkdir, stat } from "node:fs/promises";

/**
 * Resolves with why the folder could not be made private (a read-only or full disk at start), or
 * undefined. Not fatal: the store is opened once the folder works, and the folder is made 0700 then.
 */
export async function prepareDataDir(dataDir: string): Promise<Error | undefined> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (((await stat(dataDir)).mode & 0o777) !== 0o700) await chmod(dataDir, 0o700);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}
