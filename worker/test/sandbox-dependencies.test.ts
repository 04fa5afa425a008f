/**
 * A script folder's npm dependencies, installed from its package.json and lock by the real npm,
 * offline: local packages packed as tarballs (file: dependencies), as a registry's would be.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleScript, runScript } from "../src/index.js";
import { execEvent, recorder, TEST_LIMITS } from "./sandbox-harness.test.js";

const run = promisify(execFile);
const npm = (cwd: string, ...args: string[]) =>
  run("npm", [...args, "--offline", "--no-audit", "--no-fund"], { cwd });

/** Packs a one-file package into `vendor/` of the script folder; returns its file: specifier. */
async function pack(script: string, name: string, body: string): Promise<string> {
  const source = await mkdtemp(join(tmpdir(), `bosun-pkg-${name}-`));
  await writeFile(join(source, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
  await writeFile(join(source, "index.js"), body);
  await mkdir(join(script, "vendor"), { recursive: true });
  await npm(source, "pack", "--pack-destination", join(script, "vendor"));
  await rm(source, { recursive: true, force: true });
  return `file:vendor/${name}-1.0.0.tgz`;
}

/** Writes package.json, makes its lock with npm, then names the SDK as a v2 project does. */
async function project(script: string, dependencies: Record<string, string>): Promise<void> {
  await writeFile(
    join(script, "package.json"),
    JSON.stringify({ name: "pipeline", version: "1.0.0", dependencies }),
  );
  await rm(join(script, "package-lock.json"), { force: true });
  await npm(script, "install", "--package-lock-only");
  const manifest = JSON.parse(await readFile(join(script, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  // Its lock entry points at the public registry: installing it would need the network.
  manifest.dependencies["@brigadecore/brigadier"] = "^2.5.0";
  await writeFile(join(script, "package.json"), JSON.stringify(manifest));
  const lock = JSON.parse(await readFile(join(script, "package-lock.json"), "utf8")) as {
    packages: Record<string, Record<string, unknown>>;
  };
  lock.packages[""]!.dependencies = manifest.dependencies;
  lock.packages["node_modules/@brigadecore/brigadier"] = {
    version: "2.5.0",
    resolved: "https://registry.npmjs.org/@brigadecore/brigadier/-/brigadier-2.5.0.tgz",
    integrity: "sha512-" + "A".repeat(86) + "==",
  };
  await writeFile(join(script, "package-lock.json"), JSON.stringify(lock, null, 2));
}

const SCRIPT = `
const { events } = require("@brigadecore/brigadier");
const first = require("left-word");
events.on("exec", () => console.log("first word: " + first("Deploy to staging")));
`;

async function runIn(dir: string, cacheDir: string) {
  const bundle = await bundleScript(dir, { cacheDir, cache: false });
  if (bundle.errors) return { errors: bundle.errors, output: "" };
  const rec = recorder();
  const outcome = await runScript({
    bundle: bundle.value!,
    event: execEvent(),
    project: { name: "demo", secrets: {} },
    limits: TEST_LIMITS,
    runJob: rec.runJob,
    log: rec.log,
  });
  return { outcome, output: rec.output() };
}

describe("sandbox: npm dependencies of a script folder", function () {
  this.timeout(120_000);
  let temp: string;
  let script: string;
  let cache: string;
  beforeEach(async () => {
    temp = await mkdtemp(join(tmpdir(), "bosun-deps-"));
    script = join(temp, "script");
    cache = join(temp, "cache");
    await mkdir(script);
    await writeFile(join(script, "brigade.js"), SCRIPT);
  });
  afterEach(() => rm(temp, { recursive: true, force: true }));

  it("installs them before bundling, with @brigadecore/brigadier still Bosun's SDK, and once per lock", async () => {
    await project(script, {
      "left-word": await pack(script, "left-word", `module.exports = (s) => s.split(" ")[0];`),
    });
    const first = await runIn(script, cache);
    expect(first.errors).to.equal(undefined);
    expect(first.output).to.include("first word: Deploy");
    // Nothing of the install lands in the script's folder (it may be a read-only mount).
    expect(await readdir(script)).to.not.include("node_modules");
    const installed = await readdir(join(cache, "dependencies"));
    expect(installed.filter((d) => !d.startsWith("."))).to.have.length(1);

    // The second run installs nothing: it works with the package's tarball gone.
    await rm(join(script, "vendor"), { recursive: true });
    const second = await runIn(script, cache);
    expect(second.errors).to.equal(undefined);
    expect(second.output).to.include("first word: Deploy");
  });

  it("installs again when the lock changes", async () => {
    await project(script, {
      "left-word": await pack(script, "left-word", `module.exports = (s) => s.split(" ")[0];`),
    });
    expect((await runIn(script, cache)).output).to.include("first word: Deploy");
    await project(script, {
      "left-word": await pack(script, "left-word", `module.exports = (s) => s.toUpperCase();`),
    });
    expect((await runIn(script, cache)).output).to.include("first word: DEPLOY TO STAGING");
  });

  it("reports a failing install as SCRIPT_DEPENDENCIES_FAILED, naming the package's file", async () => {
    await project(script, { "left-word": await pack(script, "left-word", `module.exports = (s) => s;`) });
    await rm(join(script, "vendor"), { recursive: true });
    const { errors } = await runIn(script, cache);
    expect(errors?.[0]?.code).to.equal("SCRIPT_DEPENDENCIES_FAILED");
    expect(errors![0]!.message).to.match(
      /^package\.json: npm could not install the dependencies for vendor\/left-word-1\.0\.0\.tgz/,
    );
    expect(errors![0]!.message).to.not.include(".installing-");
  });

  it("asks for a lock file when there is none", async () => {
    await writeFile(
      join(script, "package.json"),
      JSON.stringify({ dependencies: { "left-word": "^1.0.0" } }),
    );
    const none = await runIn(script, cache);
    expect(none.errors?.[0]).to.include({ code: "SCRIPT_DEPENDENCIES_FAILED" });
    expect(none.errors![0]!.message).to.include("npm install --package-lock-only");
  });

  it("installs from a yarn.lock alone with Yarn 1, and names a missing package's file", async () => {
    const spec = await pack(script, "left-word", `module.exports = (s) => "yarn: " + s.split(" ")[0];`);
    await writeFile(
      join(script, "package.json"),
      JSON.stringify({ name: "p", version: "1.0.0", dependencies: { "left-word": spec } }),
    );
    const yarn = join(dirname(fileURLToPath(import.meta.resolve("yarn/package.json"))), "bin", "yarn.js");
    await run(process.execPath, [yarn, "install", "--ignore-scripts", "--non-interactive", "--offline"], {
      cwd: script,
      env: { ...process.env, YARN_CACHE_FOLDER: join(temp, "yarn-cache") },
    });
    await rm(join(script, "node_modules"), { recursive: true });
    expect(await readdir(script))
      .to.include("yarn.lock")
      .and.not.include("package-lock.json");
    const installed = await runIn(script, cache);
    expect(installed.errors).to.equal(undefined);
    expect(installed.output).to.include("first word: yarn: Deploy");

    await rm(join(script, "vendor"), { recursive: true });
    const missing = await runIn(script, join(temp, "other-cache"));
    expect(missing.errors?.[0]?.code).to.equal("SCRIPT_DEPENDENCIES_FAILED");
    expect(missing.errors![0]!.message).to.match(
      /^package\.json: yarn could not install the dependencies for vendor\/left-word-1\.0\.0\.tgz/,
    );
  });

  it("installs nothing for a package.json that names only the SDK", async () => {
    await writeFile(
      join(script, "package.json"),
      JSON.stringify({ dependencies: { "@brigadecore/brigadier": "^2.5.0", brigadier: "^1.2.0" } }),
    );
    await writeFile(
      join(script, "brigade.js"),
      `require("brigadier").events.on("exec", () => console.log("sdk only"));\n`,
    );
    const { errors, output } = await runIn(script, cache);
    expect(errors).to.equal(undefined);
    expect(output).to.include("sdk only");
    expect(await readdir(cache)).to.not.include("dependencies");
  });
});
