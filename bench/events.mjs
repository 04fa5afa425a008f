// Handler dispatch of a Brigade v2 script against a v1 script, in the same run: event → the
// handler's first line, prepared isolates from the pool, bundles cached. The two alternate event by
// event so that a shared machine's load falls on both alike. Target: v2 no more than 10% over v1.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IsolatePool, bundleScript, runScript } from "../worker/dist/src/index.js";
import { percentile } from "./lib.mjs";

const N = Number(process.env.BENCH_DISPATCHES ?? 300);
const V1 = `const { events } = require("brigadier");\nevents.on("image_push", () => { console.log("started"); });\n`;
const V2 = `const { events, logger } = require("@brigadecore/brigadier");\nevents.on("brigade.sh/dockerhub", "push", () => { logger.info("started"); });\nevents.process();\n`;

// A Docker Hub push as the worker hands it over: v1's fields and v2's view of the same event.
const event = {
  type: "image_push",
  buildID: "bench",
  provider: "dockerhub",
  payload: "{}",
  revision: {},
  image: { registry: "docker.io", repository: "team/app", tag: "v1", ref: "docker.io/team/app:v1" },
  v2: {
    id: "01BENCH",
    source: "brigade.sh/dockerhub",
    type: "push",
    qualifiers: { repo: "team/app" },
    labels: { registry: "docker.io", tag: "v1" },
    shortTitle: "push to docker.io/team/app:v1",
  },
};

async function bundle(dir, name, code) {
  writeFileSync(join(dir, name), code);
  const bundled = await bundleScript(join(dir, name));
  if (bundled.errors) throw new Error(JSON.stringify(bundled.errors));
  return bundled.value;
}

async function dispatch(bundled, pool, i) {
  const t0 = performance.now();
  let started;
  const outcome = await runScript({
    bundle: bundled,
    event: { ...event, buildID: `b${i}` },
    project: { name: "bench", secrets: {} },
    runJob: async () => ({ outcome: "succeeded", output: "", startedAt: "", finishedAt: "" }),
    log: () => (started ??= performance.now()),
    pool,
  });
  if (outcome.status !== "succeeded" || started === undefined) throw new Error(JSON.stringify(outcome));
  // Between events, as between pushes: the pool prepares its next isolate off the event's path.
  await new Promise((r) => setTimeout(r, 5));
  return started - t0;
}

export async function benchEvents() {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-events-"));
  const v1 = await bundle(dir, "v1.js", V1);
  const v2 = await bundle(dir, "v2.js", V2);
  const pool = new IsolatePool(2, 128);
  const times = { v1: [], v2: [] };
  for (let i = 0; i < N + 20; i++) {
    // Alternating which goes first keeps any order effect out of the comparison.
    const order = i % 2 === 0 ? ["v1", "v2"] : ["v2", "v1"];
    for (const which of order) {
      const ms = await dispatch(which === "v1" ? v1 : v2, pool, i);
      if (i >= 20) times[which].push(ms);
    }
  }
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
  for (const xs of Object.values(times)) xs.sort((a, b) => a - b);
  const f = (x) => x.toFixed(2).padStart(6);
  console.log(`\nv2 vs v1 handler dispatch (event → handler's first line; ${N} events each, warm pool)`);
  for (const [label, xs] of [
    ["v1 script: events.on(type, fn)", times.v1],
    ["v2 script: events.on(source, type, fn)", times.v2],
  ])
    console.log(`  ${label.padEnd(40)} p50 ${f(percentile(xs, 50))} ms  p99 ${f(percentile(xs, 99))} ms`);
  const ratio = (p) => percentile(times.v2, p) / percentile(times.v1, p);
  console.log(
    `  v2 / v1: p50 ${ratio(50).toFixed(3)}x, p99 ${ratio(99).toFixed(3)}x (target: at most 1.10x)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEvents();
