// Handler dispatch in the sandbox: event → the handler's first line, with a fresh isolate per event
// and the bundle cached, against spawning a Node child process per event (Brigade v2's model) in the
// same run. Then memory per idle sandbox against memory per idle Node child process.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ivm from "isolated-vm";
import { IsolatePool, bundleScript, runScript } from "../worker/dist/src/index.js";
import { percentile } from "./lib.mjs";

const N = Number(process.env.BENCH_DISPATCHES ?? 200);
const IDLE = 20;
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => { console.log("started"); });\n`;

const event = {
  type: "image_push",
  buildID: "bench",
  provider: "dockerhub",
  payload: "{}",
  image: { registry: "docker.io", repository: "team/app", tag: "v1", ref: "docker.io/team/app:v1" },
};

async function sandboxDispatches(bundle, pool) {
  const times = [];
  for (let i = 0; i < N + 10; i++) {
    const t0 = performance.now();
    let started;
    await runScript({
      bundle,
      event: { ...event, buildID: `b${i}` },
      project: { name: "bench", secrets: {} },
      runJob: async () => ({ outcome: "succeeded", output: "", startedAt: "", finishedAt: "" }),
      log: () => (started ??= performance.now()),
      pool,
    });
    // Between events, as between pushes: the pool prepares its next isolate off the event's path.
    if (pool) await new Promise((r) => setTimeout(r, 5));
    if (i >= 10) times.push(started - t0);
  }
  return times.sort((a, b) => a - b);
}

async function childDispatches() {
  const times = [];
  for (let i = 0; i < Math.min(N, 50); i++) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      const child = spawn(process.execPath, ["-e", "console.log('started')"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      child.stdout.once("data", () => {
        times.push(performance.now() - t0);
        resolve();
      });
    });
  }
  return times.sort((a, b) => a - b);
}

function rssKb(pid = "self") {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
}

async function idleSandboxKb(bundle) {
  globalThis.gc?.();
  const before = rssKb();
  const isolates = [];
  for (let i = 0; i < IDLE; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = await isolate.createContext();
    await (await isolate.compileScript(bundle.code)).run(context, { reference: true });
    isolates.push({ isolate, context });
  }
  const after = rssKb();
  for (const { isolate } of isolates) isolate.dispose();
  return (after - before) / IDLE;
}

async function idleChildKb() {
  const children = [];
  for (let i = 0; i < 5; i++) {
    const child = spawn(process.execPath, ["-e", "console.log('up'); setInterval(() => {}, 1000)"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise((r) => child.stdout.once("data", r));
    children.push(child);
  }
  await new Promise((r) => setTimeout(r, 300));
  const kb = children.reduce((sum, c) => sum + rssKb(c.pid), 0) / children.length;
  for (const c of children) c.kill();
  return kb;
}

export async function benchSandbox() {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-sandbox-"));
  writeFileSync(join(dir, "brigade.js"), SCRIPT);
  const bundled = await bundleScript(join(dir, "brigade.js"));
  if (bundled.errors) throw new Error(JSON.stringify(bundled.errors));
  const ours = await sandboxDispatches(bundled.value);
  const pool = new IsolatePool(2, 128);
  const warm = await sandboxDispatches(bundled.value, pool);
  await pool.close();
  const child = await childDispatches();
  const sandboxKb = await idleSandboxKb(bundled.value);
  const childKb = await idleChildKb();
  rmSync(dir, { recursive: true, force: true });
  const f = (x) => x.toFixed(1).padStart(6);
  const row = (label, xs, note = "") =>
    console.log(
      `  ${label.padEnd(38)} p50 ${f(percentile(xs, 50))} ms  p99 ${f(percentile(xs, 99))} ms${note}`,
    );
  console.log(`\nhandler dispatch (event → handler's first line; ${ours.length} events, cached bundle)`);
  row("fresh isolate built for the event (cold)", ours);
  row("prepared isolate from the pool (warm)", warm);
  row("node child process per event", child, "  (baseline)");
  const ratio = (xs) => (percentile(child, 50) / percentile(xs, 50)).toFixed(1);
  console.log(`  baseline p50 / ours p50: cold ${ratio(ours)}x, warm ${ratio(warm)}x faster`);
  console.log(
    `\nmemory per idle sandbox (script loaded): ${(sandboxKb / 1024).toFixed(1)} MiB vs idle node child process ${(childKb / 1024).toFixed(1)} MiB (${(childKb / sandboxKb).toFixed(1)}x less)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSandbox();
