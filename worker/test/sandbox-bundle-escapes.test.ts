import type { Problem } from "@bosun/core";
import { expect } from "chai";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { bundleScript } from "../src/index.js";
import { clearBundleCache } from "../src/sandbox/bundle-cache.js";
import { repoRoot } from "./sandbox-harness.test.js";

/**
 * Scripts that try to read the server's files at bundle time. Next to the project folder lie files
 * holding SECRET; a script may bundle only its own folder (and node_modules) and the SDK, as code,
 * and no refusal may show what a file outside holds.
 */
const SECRET = "SECRET-b7f1";

/** Files outside the project folder, relative to the temp folder. */
const OUTSIDE: Record<string, string> = {
  "outside/secret.txt": `TOP ${SECRET}\n`,
  "outside/secret.json": JSON.stringify({ token: SECRET }),
  "outside/secret.js": `export default "${SECRET}";\n`,
  "outside/pkg/package.json": JSON.stringify({ name: "pkg", main: "index.js" }),
  "outside/pkg/index.js": `module.exports = "${SECRET}";\n`,
};

interface Escape {
  /** The script's line 2 (line 1 requires brigadier). */
  line: string;
  /** More files in the project folder. */
  files?: Record<string, string>;
  /** Symlinks in the project folder: name → target relative to the temp folder. */
  links?: Record<string, string>;
  /** The script bundles (what it tried is ignored rather than refused). */
  bundles?: boolean;
}

const ATTRIBUTE_TYPES = [
  "text",
  "bytes",
  "json",
  "file",
  "copy",
  "base64",
  "dataurl",
  "binary",
  "empty",
  "css",
  "local-css",
  "js",
  "ts",
  "default",
];

const ESCAPES: Record<string, Escape> = {
  ...Object.fromEntries(
    ATTRIBUTE_TYPES.map((type) => [
      `an import attribute of type "${type}" on a file outside`,
      { line: `import x from "../outside/secret.txt" with { type: "${type}" };` },
    ]),
  ),
  'an import attribute { type: "text" } on a file inside': {
    line: `import x from "./notes.txt" with { type: "text" };`,
    files: { "notes.txt": "inside\n" },
  },
  'an import attribute { type: "json" } on a file that is not JSON': {
    line: `import x from "./other.js" with { type: "json" };`,
    files: { "other.js": "export default 1;\n" },
  },
  "an import attribute naming a loader": {
    line: `import x from "../outside/secret.txt" with { loader: "text" };`,
  },
  "a relative import leaving the folder": { line: `import x from "../outside/secret.js";` },
  "a require() leaving the folder": { line: `const x = require("../outside/secret.js");` },
  "an import() leaving the folder": { line: `import("../outside/secret.js").then(() => {});` },
  "a .json file outside the folder": { line: `const x = require("../outside/secret.json");` },
  "an absolute path": { line: `import x from "<temp>/outside/secret.js";` },
  "a file of Bosun's own beside the SDK's sources": { line: `const x = require("<repo>sdk/package.json");` },
  "/proc/self/environ": { line: `const x = require("/proc/self/environ");` },
  "/proc/self/environ as JSON": { line: `import x from "/proc/self/environ" with { type: "json" };` },
  "a symlink in the folder to a file outside": {
    line: `import x from "./link.js";`,
    links: { "link.js": "outside/secret.js" },
  },
  "a symlink in the folder to a folder outside": {
    line: `import x from "./linked/secret.js";`,
    links: { linked: "outside" },
  },
  "a node_modules package that is a symlink outside": {
    line: `const x = require("pkg");`,
    links: { "node_modules/pkg": "outside/pkg" },
  },
  "a package whose main leaves the folder": {
    line: `const x = require("evil");`,
    files: { "node_modules/evil/package.json": JSON.stringify({ main: "../../../outside/secret.js" }) },
  },
  "a package whose exports leave the folder": {
    line: `const x = require("evil");`,
    files: {
      "node_modules/evil/package.json": JSON.stringify({ exports: { ".": "../../../outside/secret.js" } }),
    },
  },
  "a package.json imports map leaving the folder": {
    line: `const x = require("#secret");`,
    files: { "package.json": JSON.stringify({ imports: { "#secret": "../outside/secret.js" } }) },
  },
  "a package whose browser field leaves the folder": {
    line: `const x = require("evil");`,
    files: {
      "node_modules/evil/package.json": JSON.stringify({
        main: "index.js",
        browser: { "./index.js": "../../../outside/secret.js" },
      }),
    },
  },
  "tsconfig paths leaving the folder": {
    line: `import x from "sec/secret.js";`,
    files: {
      "tsconfig.json": JSON.stringify({
        compilerOptions: { baseUrl: ".", paths: { "sec/*": ["../outside/*"] } },
      }),
    },
  },
  "a tsconfig baseUrl outside the folder": {
    line: `import x from "outside/secret.js";`,
    files: { "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".." } }) },
  },
  "a tsconfig extending a file outside": {
    line: `import x from "./other.js";`,
    bundles: true, // no tsconfig.json is read at all
    files: {
      "tsconfig.json": JSON.stringify({ extends: "../outside/secret.txt" }),
      "other.js": "export default 1;\n",
    },
  },
  "a glob import reaching outside": {
    line: `const n = "secret"; const x = require("../outside/" + n + ".txt");`,
  },
  "a glob import() reaching outside": { line: `const n = "secret"; import("../outside/" + n + ".js");` },
  "a CSS file": { line: `import "./style.css";`, files: { "style.css": "body { color: red }\n" } },
  "a text file": { line: `import x from "./notes.txt";`, files: { "notes.txt": "inside\n" } },
  "a data: URL": { line: `import x from "data:text/javascript,export default 1";` },
};

describe("sandbox: bundling refuses files outside the script's folder", () => {
  let temp: string;
  let project: string;

  beforeEach(async () => {
    clearBundleCache();
    temp = await mkdtemp(join(tmpdir(), "bosun-escape-"));
    project = join(temp, "project");
    await mkdir(project);
    for (const [path, content] of Object.entries(OUTSIDE)) await put(join(temp, path), content);
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  async function put(path: string, content: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  async function bundle(escape: Escape) {
    for (const [path, content] of Object.entries(escape.files ?? {})) await put(join(project, path), content);
    for (const [path, target] of Object.entries(escape.links ?? {})) {
      await mkdir(dirname(join(project, path)), { recursive: true });
      await symlink(join(temp, target), join(project, path));
    }
    const line = escape.line.replace("<temp>", temp).replace("<repo>", repoRoot);
    await writeFile(join(project, "brigade.js"), `const { events } = require("brigadier");\n${line}\n`);
    return bundleScript(join(project, "brigade.js"), { cache: false });
  }

  for (const [name, escape] of Object.entries(ESCAPES)) {
    it(`refuses ${name}, showing nothing of the file`, async () => {
      const result = await bundle(escape);
      expect(result.value?.code ?? "", "the bundle").to.not.include(SECRET);
      if (escape.bundles) {
        expect(JSON.stringify(result.errors ?? [])).to.not.include(SECRET);
        expect(result.value?.inputs.filter((p) => p.startsWith(temp))).to.have.members([
          join(project, "other.js"),
          join(project, "brigade.js"),
        ]);
        return;
      }
      expect(result.errors?.length ?? 0, "the refusals").to.be.greaterThan(0);
      expect(JSON.stringify(result.errors)).to.not.include(SECRET);
      const problem: Problem = result.errors![0]!;
      expect(problem.code).to.be.oneOf(["SCRIPT_FORBIDDEN_IMPORT", "SCRIPT_BUNDLE_FAILED"]);
      expect(problem).to.include({ file: "brigade.js", line: 2 });
      expect(problem.message).to.include("line 2");
    });
  }

  it("says why an import leaving the folder is refused, with the import and its line", async () => {
    const problem = (await bundle(ESCAPES["a relative import leaving the folder"]!)).errors![0]!;
    expect(problem).to.include({ code: "SCRIPT_FORBIDDEN_IMPORT", file: "brigade.js", line: 2 });
    expect(problem.message).to.equal(
      `brigade.js imports "../outside/secret.js" on line 2, which is not available to scripts: it is outside the script's folder (only the script's folder and its node_modules are bundled)`,
    );
  });

  it("says why an import attribute is refused", async () => {
    const problem = (await bundle(ESCAPES['an import attribute of type "text" on a file outside']!))
      .errors![0]!;
    expect(problem.code).to.equal("SCRIPT_FORBIDDEN_IMPORT");
    expect(problem.message).to.include(`imports "../outside/secret.txt" with { type: "text" } on line 2`);
    expect(problem.message).to.include("only JavaScript, TypeScript and JSON modules are bundled");
  });

  it("still bundles JSON and packages from the script's own folder", async () => {
    const result = await bundle({
      line: `const data = require("./data.json"); const dep = require("dep"); console.log(data, dep);`,
      files: {
        "data.json": JSON.stringify({ inside: "data-value" }),
        "node_modules/dep/package.json": JSON.stringify({ main: "lib/index.js" }),
        "node_modules/dep/lib/index.js": `module.exports = "dep-value";\n`,
      },
    });
    expect(result.errors).to.equal(undefined);
    expect(result.value!.code).to.include("data-value").and.include("dep-value");
    expect(result.value!.inputs).to.include(join(project, "data.json"));
  });

  it("bundles files in a folder of the script's whose name starts with two dots", async () => {
    const result = await bundle({
      line: `const shared = require("./..data/shared.js"); console.log(shared);`,
      files: { "..data/shared.js": `module.exports = "shared-value";\n` },
    });
    expect(result.errors).to.equal(undefined);
    expect(result.value!.code).to.include("shared-value");
  });

  it("does not put the server's environment into the bundle", async () => {
    process.env.BOSUN_ESCAPE_TEST = SECRET;
    try {
      const result = await bundle({
        line: `console.log(process.env.BOSUN_ESCAPE_TEST, process.env.HOME, process.env.NODE_ENV);`,
      });
      expect(result.errors).to.equal(undefined);
      expect(result.value!.code).to.not.include(SECRET);
      expect(result.value!.code).to.include("process.env.HOME");
      expect(result.value!.code).to.include(`"production"`);
    } finally {
      delete process.env.BOSUN_ESCAPE_TEST;
    }
  });

  it("runs esbuild without the server's environment", async () => {
    expect((await bundle({ line: `console.log(1);` })).errors).to.equal(undefined);
    const services = await esbuildChildren();
    expect(services.length, "esbuild processes started by this one").to.be.greaterThan(0);
    for (const { pid, environ } of services)
      expect(environ, `the environment of esbuild ${pid}`).to.equal("");
  });
});

/** The esbuild service processes this process started, with their environment (Linux's /proc). */
async function esbuildChildren(): Promise<{ pid: string; environ: string }[]> {
  const found: { pid: string; environ: string }[] = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
    if (ppid !== String(process.pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes("--service=")) continue;
    found.push({ pid, environ: await readFile(`/proc/${pid}/environ`, "utf8") });
  }
  return found;
}
