/**
 * Bosun's own image (scripts/build-image.sh), built once per set of inputs: the script labels the
 * image with a hash of what goes into it and returns at once when the image already has it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./podman.js";

export interface BosunImage {
  /** "localhost/bosun:<version>" */
  name: string;
  /**
   * The image's id. Other checkouts share the Podman storage and may move the tag meanwhile; the id
   * stays this build's.
   */
  id: string;
}

let built: BosunImage | undefined;

/** True when the podman command runs here. */
export function podmanAvailable(): boolean {
  return spawnSync("podman", ["--version"], { encoding: "utf8" }).status === 0;
}

/** Builds Bosun's image from the built packages when its inputs changed; memoised per process. */
export function ensureBosunImage(): BosunImage {
  if (built) return built;
  if (!podmanAvailable()) {
    throw new Error("podman is not installed (or does not run): scripts/setup-machine.sh installs it");
  }
  const root = repoRoot();
  const version = (JSON.parse(readFileSync(join(root, "cli", "package.json"), "utf8")) as { version: string })
    .version;
  const name = `localhost/bosun:${version}`;
  // The Node running the tests is the one the image gets.
  const r = spawnSync("bash", [join(root, "scripts", "build-image.sh"), name], {
    encoding: "utf8",
    env: { ...process.env, BOSUN_NODE: process.execPath },
  });
  if (r.status !== 0) {
    throw new Error(`build-image.sh failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  const inspect = spawnSync("podman", ["image", "inspect", "--format", "{{.Id}}", name], {
    encoding: "utf8",
  });
  if (inspect.status !== 0) throw new Error(`podman image inspect ${name}: ${inspect.stderr}`);
  built = { name, id: inspect.stdout.trim() };
  return built;
}
