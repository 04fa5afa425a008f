// Dependency install: a script with three npm dependencies (local packages, packed as tarballs, so
// no registry is involved), bundled on a fresh cache (npm installs them) and then again with the
// install cached (the bundle itself rebuilt each time). Baseline: the same script with no
// dependencies to install, bundled the same way, in the same run.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleScript } from "../worker/dist/src/index.js";
import { percentile } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NAMES = ["left-word", "shout", "tag-sort"];
const npm = (cwd, ...args) =>
  execFileSync("npm", [...args, "--offline", "--no-audit", "--no-fund"], { cwd, stdio: "pipe" });

function scriptFolder(root) {
  const script = join(root, "script");
  mkdirSync(join(script, "vendor"), { recursive: true });
  const dependencies = {};
  for (const name of NAMES) {
    const source = join(root, "src", name);
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
    writeFileSync(join(source, "index.js"), `module.exports = (s) => ${JSON.stringify(name)} + ": " + s;\n`);
    npm(source, "pack", "--pack-destination", join(script, "vendor"));
    dependencies[name] = `file:vendor/${name}-1.0.0.tgz`;
  }
  writeFileSync(
    join(script, "package.json"),
    JSON.stringify({ name: "bench", version: "1.0.0", dependencies }),
  );
  npm(script, "install", "--package-lock-only");
  const requires = NAMES.map((n, i) => `const d${i} = require(${JSON.stringify(n)});`).join("\n");
  writeFileSync(
    join(script, "brigade.js"),
    `const { events } = require("brigadier");\n${requires}\nevents.on("exec", () => console.log(d0("x"), d1("y"), d2("z")));\n`,
  );
  const bare = join(root, "bare");
  mkdirSync(bare);
  writeFileSync(
    join(bare, "brigade.js"),
    `const { events } = require("brigadier");\nevents.on("exec", () => {});\n`,
  );
  return { script, bare };
}

async function timed(path, cacheDir) {
  const started = performance.now();
  const result = await bundleScript(path, { cacheDir, cache: false });
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("; "));
  return performance.now() - started;
}

export async function benchDependencies() {
  const root = mkdtempSync(join(tmpdir(), "bosun-bench-deps-"));
  try {
    const { script, bare } = scriptFolder(root);
    const first = [];
    const cached = [];
    const baseline = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cache = join(root, `cache-${round}`);
      first.push(await timed(script, cache));
      cached.push(await timed(script, cache));
      baseline.push(await timed(bare, cache));
    }
    const p50 = (xs) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    console.log(
      `\ndependency install (a script with ${NAMES.length} local npm dependencies; ${ROUNDS} rounds, p50)`,
    );
    console.log(`  first run (npm installs, then bundle)    ${p50(first).toFixed(0).padStart(6)} ms`);
    console.log(`  cached install (bundle only)             ${p50(cached).toFixed(0).padStart(6)} ms`);
    console.log(`  no dependencies (baseline)               ${p50(baseline).toFixed(0).padStart(6)} ms`);
    console.log(
      `  first / cached: ${(p50(first) / p50(cached)).toFixed(1)}x; cached / baseline: ${(p50(cached) / p50(baseline)).toFixed(2)}x`,
    );
    return { first, cached, baseline };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDependencies();
