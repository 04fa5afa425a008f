/**
 * The data directory holds the store, the admin token, run workspaces and project caches, all the
 * server's alone: it is made (or kept) 0700, so that nothing a job leaves there (a setuid binary in
 * a cache, say) is reachable by the machine's other users.
 */
import { chmod, mkdir } from "node:fs/promises";

export async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
}
