// The one test command (npm test): lint, format check, typecheck, then every mocha test.
// Ends with "N passed, N failed" on its own line; exits non-zero when anything failed.
//   node scripts/test.mjs                      everything (npm test)
//   node scripts/test.mjs --unit               build, then the unit tier only (npm run test:unit)
//   node scripts/test.mjs gateways [--unit]    build, then one package's tests (npm test -w gateways)
//   node scripts/test.mjs 'worker/dist/test/sandbox-*.test.js'   build, then the files of a glob
// Tiers are in scripts/test-tiers.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allTestFiles, selectTier } from "./test-tiers.mjs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const unit = args.includes("--unit");
const rest = args.filter((a) => a !== "--unit");
// A bare folder name is a package (or scripts/); anything else is a glob over compiled test files.
const packages = rest.filter((a) => /^[\w-]+$/.test(a) && existsSync(join(root, a)));
const globs = rest.filter((a) => !packages.includes(a));
const everything = args.length === 0;
let passed = 0;
let failed = 0;

function step(name, cmd, args, env = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  const okay = r.status === 0;
  console.log(`== ${name}: ${okay ? "ok" : `FAILED (exit ${r.status ?? r.signal})`}`);
  return okay;
}

const bin = (name) => join(root, "node_modules", ".bin", name);
if (everything) {
  for (const [name, cmd, args] of [
    ["eslint", bin("eslint"), ["."]],
    ["prettier", bin("prettier"), ["--check", "."]],
  ]) {
    if (step(name, cmd, args)) passed++;
    else failed++;
  }
}
if (step("typecheck+build", bin("tsc"), ["-b"])) passed++;
else failed++;
// The dashboard's page, bundled into the static files the server serves (npm run build does the same).
if (step("dashboard bundle", process.execPath, [join(root, "dashboard", "build.mjs")])) passed++;
else failed++;
// The example projects' TypeScript scripts, as users would check them against the SDK.
if (everything) {
  if (step("typecheck examples", bin("tsc"), ["-p", "examples"])) passed++;
  else failed++;
}

let files = globs;
if (globs.length === 0) {
  const tier = selectTier(allTestFiles(root, packages), unit ? "unit" : "all");
  for (const name of tier.stale) {
    console.log(`scripts/test-tiers.mjs lists ${name}, which is no test file: move its entry with the file`);
    failed++;
  }
  files = tier.files;
  if (unit) console.log(`\n== unit tier: ${files.length} test files (the integration tier is left out)`);
}

if (files.length === 0) console.log("\nno test files to run");
else {
  const stats = join(tmpdir(), `bosun-mocha-${process.pid}.json`);
  // With no file named, mocha.mjs runs every test file itself: the same list, a shorter command line.
  const named = everything ? [] : files;
  step("mocha", process.execPath, ["--no-node-snapshot", join(root, "scripts", "mocha.mjs"), ...named], {
    BOSUN_MOCHA_STATS: stats,
  });
  try {
    const s = JSON.parse(readFileSync(stats, "utf8"));
    passed += s.passes;
    failed += s.failures;
    rmSync(stats);
  } catch {
    console.log("mocha did not report its results");
    failed++;
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
