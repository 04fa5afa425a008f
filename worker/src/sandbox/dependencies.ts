/**
 * A script folder's npm dependencies, installed before bundling: from its package.json and lock
 * file (npm's, or yarn's: installed by npm or by Yarn 1), without install scripts, into a folder
 * named by the hash of both, so a second run (and every run of the same lock, in any process)
 * installs nothing. The SDK's names (brigadier,
 * @brigadecore/brigadier, @bosun/sdk) are never installed: they always mean Bosun's SDK.
 */
import { fail, ok, type Result } from "@bosun/core";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Names that resolve to Bosun's SDK whatever a package.json says. */
export const SDK_NAMES = ["brigadier", "@brigadecore/brigadier", "@bosun/sdk"] as const;
/** Lock files, the one found first deciding the installer. */
const LOCKS = [
  { file: "npm-shrinkwrap.json", installer: "npm" },
  { file: "package-lock.json", installer: "npm" },
  { file: "yarn.lock", installer: "yarn" },
] as const;
type Installer = (typeof LOCKS)[number]["installer"];
/** The longest one install may take. */
const INSTALL_TIMEOUT_MS = 300_000;

export interface InstalledDependencies {
  /** The node_modules folder the bundle resolves the script's packages from. */
  nodeModules: string;
  /** package.json and the lock: the bundle is built again when they change. */
  manifests: string[];
}

interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const installing = new Map<string, Promise<Result<string>>>();

/**
 * undefined when there is nothing to install: no package.json, no dependencies besides the SDK's
 * names, or a node_modules folder installed next to the script (which is used as it is).
 */
export async function installDependencies(
  root: string,
  cacheDir: string | undefined,
): Promise<Result<InstalledDependencies | undefined>> {
  const manifestFile = join(root, "package.json");
  const text = await readFile(manifestFile, "utf8").catch(() => undefined);
  if (text === undefined || existsSync(join(root, "node_modules"))) return ok(undefined);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (error) {
    return failure(manifestFile, `package.json is not JSON (${(error as Error).message})`);
  }
  const wanted = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
  if (wanted.every((name) => (SDK_NAMES as readonly string[]).includes(name))) return ok(undefined);
  const found = LOCKS.find(({ file }) => existsSync(join(root, file)));
  if (!found) {
    return failure(
      manifestFile,
      "package.json lists dependencies but there is no lock file: run npm install --package-lock-only " +
        "(or yarn install) and keep the lock beside package.json, so every run installs the same versions",
    );
  }
  const lock = join(root, found.file);
  const lockText = await readFile(lock, "utf8");
  const key = createHash("sha256").update(text).update("\0").update(lockText).digest("hex").slice(0, 32);
  const base = join(cacheDir ?? join(tmpdir(), "bosun"), "dependencies");
  const done = join(base, key);
  const nodeModules = join(done, "node_modules");
  const manifests = [manifestFile, lock];
  if (existsSync(nodeModules)) return ok({ nodeModules, manifests });
  let pending = installing.get(done);
  if (!pending) {
    pending = install(root, base, done, manifestFile, found.installer).finally(() => installing.delete(done));
    installing.set(done, pending);
  }
  const installed = await pending;
  return installed.errors ? installed : ok({ nodeModules, manifests });
}

/** Installs in a copy of the folder, then renames it into place: a half-done install is never used. */
async function install(
  root: string,
  base: string,
  done: string,
  manifestFile: string,
  installer: Installer,
): Promise<Result<string>> {
  await mkdir(base, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(base, ".installing-"));
  try {
    // The folder as it is (a file: tarball beside package.json resolves as written), without what
    // an install makes.
    await cp(root, work, {
      recursive: true,
      filter: (source) => !["node_modules", ".git"].includes(basename(source)),
    });
    await withoutSdkNames(join(work, "package.json"));
    const ran = await (installer === "npm" ? runNpm(work, base) : runYarn(work, base));
    if (ran.failed) return failure(manifestFile, describeFailure(installer, ran.output, work, root));
    await rename(work, done).catch(async (error: NodeJS.ErrnoException) => {
      // Another process installed the same lock meanwhile: its folder is as good as this one.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
    return ok(done);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** npm would fetch them from the registry; the bundle never uses them. */
async function withoutSdkNames(file: string): Promise<void> {
  const manifest = JSON.parse(await readFile(file, "utf8")) as Record<string, Record<string, string>>;
  for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
    for (const name of SDK_NAMES) delete manifest[field]?.[name];
  }
  await writeFile(file, JSON.stringify(manifest, null, 2));
}

/** An installer's environment of its own: none of the server's secrets, its proxy settings kept. */
function installEnv(base: string, own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(base, ".home"),
    ...own,
  };
  for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"]) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

/**
 * Yarn 1 (the `yarn` package Bosun depends on, run by this Node), for a folder whose lock is a
 * yarn.lock, as Brigade v2's worker accepted: --frozen-lockfile refuses a lock that does not match
 * package.json, as `npm ci` does.
 */
function runYarn(cwd: string, base: string): Promise<{ failed: boolean; output: string }> {
  const yarn = fileURLToPath(import.meta.resolve("yarn/bin/yarn.js"));
  const env = installEnv(base, { YARN_CACHE_FOLDER: join(base, ".yarn-cache"), YARN_IGNORE_PATH: "1" });
  const args = [
    yarn,
    "install",
    "--frozen-lockfile",
    "--ignore-scripts",
    "--production",
    "--non-interactive",
    "--no-progress",
  ];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => resolve({ failed: error !== null, output: `${stderr}\n${stdout}` }),
    );
  });
}

/** npm from PATH. */
function runNpm(cwd: string, base: string): Promise<{ failed: boolean; output: string }> {
  const env = installEnv(base, {
    npm_config_cache: join(base, ".npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  });
  // `install` rather than `ci`: the SDK's names were taken out of package.json, and the lock still
  // pins every other version; --no-save leaves it as it is.
  const args = ["install", "--ignore-scripts", "--no-save", "--omit=dev", "--no-progress"];
  return new Promise((resolve) => {
    execFile(
      "npm",
      args,
      { cwd, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const missing = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
        resolve({
          failed: error !== null,
          output: missing
            ? "npm is not installed on this worker: install it (Debian: apt-get install npm), or install the dependencies next to the script"
            : `${stderr}\n${stdout}`,
        });
      },
    );
  });
}

/** The installer's error, led by the package it names (or a file: dependency's file), in the script's terms. */
export function describeFailure(installer: Installer, output: string, work: string, root: string): string {
  const lines = output
    .split("\n")
    .filter((l) => installer === "npm" || l.startsWith("error "))
    .map((l) => l.replace(/^(npm (error|ERR!)|error) ?/, "").trim())
    .filter((l, i, all) => l !== "" && all.indexOf(l) === i && !/A complete log of this run/.test(l))
    .map((l) => l.replaceAll(work, root));
  const text = lines.join("\n");
  const name =
    /'(@?[^@'\s]+)@[^']*' is not in this registry/.exec(text)?.[1] ??
    /404 Not Found - GET \S+\/(@?[^/\s]+(?:%2f[^/\s]+)?)/.exec(text)?.[1]?.replace("%2f", "/") ??
    /(?:ENOENT|no such file)[^']*'([^']+)'/.exec(text)?.[1] ??
    /^"([^"]+)": Tarball is not/m.exec(text)?.[1] ??
    /(?:Couldn't find package|Package) "(@?[^@"]+)/.exec(text)?.[1];
  const detail = lines.slice(0, 6).join("; ");
  const what = name === undefined ? "" : ` for ${name.startsWith("/") ? relative(root, name) : name}`;
  return `${installer} could not install the dependencies${what}: ${detail}`;
}

function failure(file: string, message: string): Result<never> {
  return fail({ code: "SCRIPT_DEPENDENCIES_FAILED", message: `${basename(file)}: ${message}`, file });
}
