// Runs the compiled tests of every package with mocha's spec reporter and writes the counts to
// $BOSUN_MOCHA_STATS. Kept apart from test.mjs because isolated-vm needs `node --no-node-snapshot`.
import Mocha from "mocha";
import { createHook } from "node:async_hooks";
import { globSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allTestFiles } from "./test-tiers.mjs";

const root = new URL("..", import.meta.url).pathname;
const patterns = process.argv.slice(2);
const files = (patterns.length ? globSync(patterns, { cwd: root }) : allTestFiles(root))
  .map((f) => join(root, f))
  .sort();

// BOSUN_TRACE_OPEN=1: remember where every timer was made, to name the one left open (see below).
const timers = new Map();
if (process.env.BOSUN_TRACE_OPEN) {
  createHook({
    init(id, type, _trigger, resource) {
      if (type === "Timeout") timers.set(id, { resource, stack: new Error().stack });
    },
    destroy(id) {
      timers.delete(id);
    },
  }).enable();
}

const mocha = new Mocha({ reporter: "spec", timeout: 60_000, slow: 2_000 });
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats ?? { passes: 0, failures };
  if (process.env.BOSUN_MOCHA_STATS) {
    writeFileSync(process.env.BOSUN_MOCHA_STATS, JSON.stringify({ passes: s.passes, failures: s.failures }));
  }
  process.exitCode = failures ? 1 : 0;
  // Every test cleans up after itself; should something still hold the process (a socket, a child),
  // name it and leave rather than hang CI.
  setTimeout(() => {
    console.error(`open after the tests: ${process.getActiveResourcesInfo().join(", ")}`);
    for (const { resource, stack } of timers.values()) {
      if (resource.hasRef?.()) console.error(`a timer made at:${stack.split("\n").slice(2, 12).join("\n")}`);
    }
    process.exit(process.exitCode);
  }, 10_000).unref();
});
