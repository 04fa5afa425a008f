/** The API's admin token: from config, or generated once into <data>/admin-token (mode 0600). */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export async function resolveAdminToken(dataDir: string, configured?: string): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, "admin-token");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const token = randomBytes(24).toString("base64url");
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" }).catch(
      async (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      },
    );
    return (await readFile(file, "utf8")).trim();
  }
}
