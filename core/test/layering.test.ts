/**
 * The layering of ARCHITECTURE.md is the linter's: a forbidden import fails `npm run lint` with a
 * message naming the rule broken, and the packages' own dependencies keep to the same order.
 */
import { expect } from "chai";
import { ESLint } from "eslint";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** core/dist/test → the repository root. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** A file that exists nowhere: linted from text, typed against the default project. */
const PROBE = "layering-probe.ts";

interface Layering {
  WORKSPACES: string[];
  MAY_IMPORT: Record<string, string[]>;
}

describe("layering: what each package may import", function () {
  let eslint: ESLint;
  let layering: Layering;

  before(async function () {
    eslint = new ESLint({
      cwd: ROOT,
      overrideConfig: {
        languageOptions: {
          parserOptions: { projectService: { allowDefaultProject: [`*/src/${PROBE}`, `*/test/${PROBE}`] } },
        },
      },
    });
    layering = (await import(pathToFileURL(join(ROOT, "eslint.config.js")).href)) as Layering;
  });

  async function lint(file: string, code: string): Promise<[string | null, string][]> {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
    return (result?.messages ?? []).map((m) => [m.ruleId, m.message]);
  }

  const importing = (what: string, from: string) =>
    `import { ${what} } from "${from}";\nexport const x = ${what};\n`;

  it("refuses the sandbox (the worker) in an executor, by name or by path", async function () {
    expect(await lint(`executors/src/${PROBE}`, importing("runScript", "@bosun/worker"))).to.deep.equal([
      [
        "no-restricted-imports",
        "'@bosun/worker' import is restricted from being used by a pattern. " +
          "executors/ may import @bosun/core: see ARCHITECTURE.md.",
      ],
    ]);
    const byPath = await lint(
      `executors/src/${PROBE}`,
      importing("runScript", "../../worker/src/sandbox/index.js"),
    );
    expect(byPath).to.have.length(1);
    expect(byPath[0]?.[0]).to.equal("no-restricted-imports");
    expect(byPath[0]?.[1]).to.include("not by a path into its folder");
  });

  it("refuses Node's modules in the SDK", async function () {
    expect(await lint(`sdk/src/${PROBE}`, importing("readFileSync", "node:fs"))).to.deep.equal([
      [
        "no-restricted-imports",
        "'node:fs' import is restricted from being used by a pattern. " +
          "sdk/ runs inside the sandbox and may not import Node modules.",
      ],
    ]);
  });

  it("refuses any other workspace in core", async function () {
    expect(await lint(`core/src/${PROBE}`, importing("Consumer", "@bosun/worker"))).to.deep.equal([
      [
        "no-restricted-imports",
        "'@bosun/worker' import is restricted from being used by a pattern. " +
          "core/ may import nothing of ours: see ARCHITECTURE.md.",
      ],
    ]);
  });

  it("refuses a package's src/ or dist/ past its index", async function () {
    const messages = await lint(`worker/src/${PROBE}`, importing("newId", "@bosun/core/src/ids.js"));
    expect(messages.map(([rule]) => rule)).to.deep.equal(["no-restricted-imports"]);
    expect(messages[0]?.[1]).to.include("by its name only");
  });

  it("lets tests, and only tests, use test-support", async function () {
    const inSource = await lint(`worker/src/${PROBE}`, importing("freePort", "@bosun/test-support"));
    expect(inSource.map(([rule]) => rule)).to.deep.equal(["no-restricted-imports"]);
    expect(await lint(`worker/test/${PROBE}`, importing("freePort", "@bosun/test-support"))).to.deep.equal(
      [],
    );
  });

  it("passes an import the layering allows", async function () {
    expect(await lint(`worker/src/${PROBE}`, importing("DockerExecutor", "@bosun/executors"))).to.deep.equal(
      [],
    );
  });

  it("allows the sandbox alone to resolve the SDK's sources", async function () {
    const resolveSdk = 'export const entry = import.meta.resolve("@bosun/sdk/src/index.ts");\n';
    const elsewhere = await lint(`worker/src/${PROBE}`, resolveSdk);
    expect(elsewhere.map(([rule]) => rule)).to.deep.equal(["no-restricted-syntax"]);
    const sdkPath = join("worker", "src", "sandbox", "sdk-path.ts");
    expect(await lint(sdkPath, readFileSync(join(ROOT, sdkPath), "utf8"))).to.deep.equal([]);
  });

  it("refuses a promise left floating", async function () {
    const messages = await lint(`worker/src/${PROBE}`, "async function f(): Promise<void> {}\nf();\n");
    expect(messages.map(([rule]) => rule)).to.deep.equal(["@typescript-eslint/no-floating-promises"]);
  });

  it("orders the packages without a cycle", function () {
    const placed = new Set<string>();
    let left = [...layering.WORKSPACES];
    while (left.length > 0) {
      const ready = left.filter((ws) => (layering.MAY_IMPORT[ws] ?? []).every((dep) => placed.has(dep)));
      expect(ready.length, `a cycle among ${left.join(", ")}`).to.be.greaterThan(0);
      for (const ws of ready) placed.add(ws);
      left = left.filter((ws) => !placed.has(ws));
    }
  });

  it("keeps package.json and tsconfig references within the layering", function () {
    for (const ws of layering.WORKSPACES) {
      const pkg = JSON.parse(readFileSync(join(ROOT, ws, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const ours = (deps: Record<string, string> = {}) =>
        Object.keys(deps)
          .filter((name) => name.startsWith("@bosun/"))
          .map((name) => name.slice("@bosun/".length));
      const allowed = layering.MAY_IMPORT[ws] ?? [];
      expect(ours(pkg.dependencies), `${ws}'s dependencies`).to.satisfy((d: string[]) =>
        d.every((dep) => allowed.includes(dep)),
      );
      expect(ours(pkg.devDependencies), `${ws}'s devDependencies`).to.satisfy((d: string[]) =>
        d.every((dep) => allowed.includes(dep) || dep === "test-support"),
      );
      const referenced = (file: string) =>
        (
          (JSON.parse(readFileSync(join(ROOT, file), "utf8")) as { references?: { path: string }[] })
            .references ?? []
        ).map((r) => resolve(ROOT, dirname(file), r.path).slice(ROOT.length + 1));
      const sources = referenced(join(ws, "tsconfig.json")).filter((dep) => dep !== "test-support");
      expect(sources, `${ws}'s tsconfig references`).to.satisfy((d: string[]) =>
        d.every((dep) => allowed.includes(dep)),
      );
    }
  });
});
