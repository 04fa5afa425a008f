import { expect } from "chai";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleScript } from "../src/index.js";
import { clearBundleCache } from "../src/sandbox/bundle-cache.js";
import { fixture } from "./sandbox-harness.test.js";

describe("sandbox: bundling scripts", () => {
  let temp: string;
  beforeEach(async () => {
    temp = await mkdtemp(join(tmpdir(), "bosun-bundle-"));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it("bundles a Brigade script with brigadier resolved to the SDK", async () => {
    const result = await bundleScript(fixture("brigade-style", "brigade.js"));
    expect(result.errors).to.equal(undefined);
    const bundle = result.value!;
    expect(bundle.entry).to.equal(fixture("brigade-style", "brigade.js"));
    expect(bundle.code).to.include("// brigade.js"); // esbuild names each module in a comment
    expect(bundle.inputs.some((p) => p.endsWith(join("sdk", "src", "job.ts")))).to.equal(true);
    expect(JSON.parse(bundle.sourceMap).sources).to.include("brigade.js");
    expect(bundle.hash).to.match(/^[0-9a-f]{64}$/);
  });

  it("resolves @brigadecore/brigadier and @bosun/sdk to the same SDK", async () => {
    const bundle = (await bundleScript(fixture("async-handlers", "brigade.js"))).value!;
    const ts = (await bundleScript(fixture("typescript", "bosun.ts"))).value!;
    const sdkFiles = (inputs: string[]) => inputs.filter((p) => p.includes(join("sdk", "src"))).sort();
    expect(sdkFiles(bundle.inputs)).to.deep.equal(sdkFiles(ts.inputs));
  });

  it("bundles npm dependencies from the script's own folder", async () => {
    const bundle = (await bundleScript(fixture("npm-dep", "brigade.js"))).value!;
    expect(bundle.inputs).to.include(fixture("npm-dep", "node_modules", "tiny-slug", "lib", "slug.js"));
  });

  it("bundles a script reached through symlinks (as in a Kubernetes ConfigMap mount)", async () => {
    const real = join(temp, "..data-2026");
    await mkdir(real);
    await writeFile(
      join(real, "brigade.js"),
      `const { events } = require("brigadier");\nevents.on("exec", () => {});\n`,
    );
    await symlink(real, join(temp, "..data"));
    await symlink(join("..data", "brigade.js"), join(temp, "brigade.js"));
    const result = await bundleScript(join(temp, "brigade.js"));
    expect(result.errors).to.equal(undefined);
    expect(result.value!.entry).to.equal(join(real, "brigade.js"));
  });

  it("finds the script in a folder, bosun.ts first", async () => {
    await writeFile(join(temp, "brigade.js"), `require("brigadier");\n`);
    expect((await bundleScript(temp)).value?.entry).to.equal(join(temp, "brigade.js"));
    await writeFile(join(temp, "bosun.ts"), `import "@bosun/sdk";\n`);
    expect((await bundleScript(temp)).value?.entry).to.equal(join(temp, "bosun.ts"));
  });

  it("reports a missing script as SCRIPT_NOT_FOUND", async () => {
    const missing = await bundleScript(join(temp, "nope.js"));
    expect(missing.errors?.[0]?.code).to.equal("SCRIPT_NOT_FOUND");
    const empty = await bundleScript(temp);
    expect(empty.errors?.[0]?.code).to.equal("SCRIPT_NOT_FOUND");
    expect(empty.errors?.[0]?.message).to.include("bosun.ts, bosun.js, brigade.ts, brigade.js");
  });

  it("refuses Node built-ins, naming the import, the file and the line, and what to do instead", async () => {
    const result = await bundleScript(fixture("forbidden", "brigade.js"));
    expect(result.errors).to.have.length(1);
    const problem = result.errors![0]!;
    expect(problem).to.include({ code: "SCRIPT_FORBIDDEN_IMPORT", file: "brigade.js", line: 3 });
    expect(problem.message).to.include('"child_process"');
    expect(problem.message).to.include("brigade.js");
    expect(problem.message).to.include("line 3");
    expect(problem.message).to.include("use a Job to run commands");
  });

  it("refuses node: imports in ES modules too", async () => {
    const problem = (await bundleScript(fixture("forbidden-node-prefix", "script.mjs"))).errors![0]!;
    expect(problem).to.include({ code: "SCRIPT_FORBIDDEN_IMPORT", file: "script.mjs", line: 2 });
    expect(problem.message).to.include('"node:fs"');
    expect(problem.message).to.include("Job");
  });

  for (const [specifier, advice] of [
    ["fs/promises", "file system"],
    ["http", "network"],
    ["os", "p.secrets"],
    ["process", "p.secrets"],
    ["child_process", "Job"],
    ["crypto", "Job"],
    ["net", "network"],
  ] as const) {
    it(`refuses "${specifier}" with advice`, async () => {
      await writeFile(join(temp, "brigade.js"), `const x = require(${JSON.stringify(specifier)});\n`);
      const problem = (await bundleScript(temp)).errors![0]!;
      expect(problem.code).to.equal("SCRIPT_FORBIDDEN_IMPORT");
      expect(problem.message).to.include(advice);
    });
  }

  it("reports a syntax error as SCRIPT_BUNDLE_FAILED with its line", async () => {
    // Written here rather than kept as a fixture, so that linting the fixtures stays clean.
    await writeFile(
      join(temp, "brigade.js"),
      `const { events } = require("brigadier");\n\nevents.on("exec", () => {\n  console.log("unbalanced";\n});\n`,
    );
    const problem = (await bundleScript(temp)).errors![0]!;
    expect(problem).to.include({ code: "SCRIPT_BUNDLE_FAILED", file: "brigade.js", line: 4 });
    expect(problem.message).to.include("line 4");
  });

  it("reports a package that is not installed, with a hint", async () => {
    await writeFile(join(temp, "brigade.js"), `\nrequire("left-pad-not-installed");\n`);
    const problem = (await bundleScript(temp)).errors![0]!;
    expect(problem).to.include({ code: "SCRIPT_BUNDLE_FAILED", line: 2 });
    expect(problem.message).to.include("install it in the script's folder");
  });

  it("reuses a bundle while its inputs are unchanged, and rebuilds when one changes", async () => {
    const script = join(temp, "brigade.js");
    await writeFile(script, `const { events } = require("brigadier");\nevents.on("exec", () => 1);\n`);
    const first = (await bundleScript(script)).value!;
    const again = (await bundleScript(script)).value!;
    expect(again).to.equal(first);
    await writeFile(script, `const { events } = require("brigadier");\nevents.on("exec", () => 2);\n`);
    const changed = (await bundleScript(script)).value!;
    expect(changed.hash).to.not.equal(first.hash);
    expect(changed.code).to.include("=> 2");
  });

  it("keeps bundles in a cache folder for other processes", async () => {
    const script = join(temp, "brigade.js");
    const cacheDir = join(temp, "cache");
    await writeFile(script, `require("brigadier");\n`);
    const first = (await bundleScript(script, { cacheDir })).value!;
    expect(await readdir(cacheDir)).to.have.length(1);
    clearBundleCache();
    const fromDisk = (await bundleScript(script, { cacheDir })).value!;
    expect(fromDisk).to.not.equal(first);
    expect(fromDisk).to.deep.equal(first);
  });

  it("does not reuse a bundle cached before bundles were confined to the script's folder", async () => {
    const script = join(temp, "brigade.js");
    const cacheDir = join(temp, "cache");
    await writeFile(script, `require("brigadier");\n`);
    await bundleScript(script, { cacheDir });
    const [name] = await readdir(cacheDir);
    const file = join(cacheDir, name!);
    // What an older Bosun left there: same inputs, but built without the confinement.
    const older = JSON.parse(await readFile(file, "utf8")) as { format: number; bundle: { code: string } };
    older.format = 1;
    older.bundle.code = `"bundled by an older format"`;
    await writeFile(file, JSON.stringify(older));
    clearBundleCache();
    const rebuilt = (await bundleScript(script, { cacheDir })).value!;
    expect(rebuilt.code).to.not.include("older format");
  });
});
