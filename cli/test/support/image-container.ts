/** Runs Bosun's image under Podman for tests: the podman command, a mounted config, waiting for it to serve. */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman; a non-zero exit is a result, not a rejection. */
export async function podman(args: string[]): Promise<PodmanResult> {
  try {
    const { stdout, stderr } = await execFileAsync("podman", args, { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/**
 * A folder to mount at /etc/bosun holding bosun.yaml and the given files. The container's user is
 * not their owner: it reads them as "other".
 */
export function configFolder(config: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bosun-image-"));
  writeFileSync(join(dir, "bosun.yaml"), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  chmodSync(dir, 0o755);
  for (const name of ["bosun.yaml", ...Object.keys(files)]) chmodSync(join(dir, name), 0o644);
  return dir;
}

/** Resolves once `path` answers 200; fails with the container's log when it exits or stays silent. */
export async function waitServing(url: string, container: string, path = "/healthz"): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}${path}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    const state = await podman(["inspect", "--format", "{{.State.Running}}", container]);
    if (state.stdout.trim() !== "true" || Date.now() > until) {
      const logs = await podman(["logs", container]);
      throw new Error(`bosun in the image did not answer ${path}:\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
