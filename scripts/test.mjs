// The one test command (npm test): lint, format check, typecheck, then every mocha test.
// Ends with "N passed, N failed" on its own line; exits non-zero when anything failed.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2); // optional test file globs, for a quick local run
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
if (only.length === 0) {
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
// The example projects' TypeScript scripts, as users would check them against the SDK.
if (only.length === 0) {
  if (step("typecheck examples", bin("tsc"), ["-p", "examples"])) passed++;
  else failed++;
}

const stats = join(tmpdir(), `bosun-mocha-${process.pid}.json`);
step("mocha", process.execPath, ["--no-node-snapshot", join(root, "scripts", "mocha.mjs"), ...only], {
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
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
