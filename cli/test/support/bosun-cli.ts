/** The `bosun` command run once as its own process, as a user types it. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./fixtures.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");

/** Resolves with its output and exit code, whatever the code. */
export async function bosunCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--no-node-snapshot", BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
