// Two builds of Bosun under the same ingest load, in alternating runs, to compare a change against the
// build before it: on a shared machine the load drifts by tens of percent within minutes, so single
// runs of each say little. Each run is a fresh server (no backlog carried over) loaded for a few
// seconds with Docker Hub pushes; printed are each build's req/s and server CPU per push, and the
// median of the paired ratios.
//
//   node --no-node-snapshot bench/compare-builds.mjs OLD_CHECKOUT NEW_CHECKOUT [serve|gateway]
//
// Both checkouts must be built (npx tsc -b); each is driven through its own bench/lib.mjs and gateways.
// BENCH_PAIRS (default 6) and BENCH_SECONDS (default 4) set the length.
import autocannon from "autocannon";
import { resolve } from "node:path";
import { webhookRequest } from "./lib.mjs";

const [oldTree, newTree, mode = "serve"] = process.argv.slice(2);
if (!oldTree || !newTree || !["serve", "gateway"].includes(mode)) {
  console.error("usage: compare-builds.mjs OLD_CHECKOUT NEW_CHECKOUT [serve|gateway]");
  process.exit(2);
}
const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;

async function build(tree) {
  const root = resolve(tree);
  const lib = await import(`${root}/bench/lib.mjs`);
  const { REGISTRIES } = await import(`${root}/gateways/dist/src/index.js`);
  return { root, lib, dockerhub: REGISTRIES.find((g) => g.kind === "dockerhub") };
}

async function once({ lib, dockerhub }, round) {
  const config = `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${lib.TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
  // Made by each checkout's own gateway, so that each build is sent what it expects.
  const requests = Array.from({ length: SECONDS * 30_000 }, (_, i) =>
    webhookRequest(dockerhub, `v${round}.${i}`, lib.TOKEN),
  );
  const args = mode === "gateway" ? ["--registry", "dockerhub"] : [];
  const bosun = await lib.startBosun(mode, config, { "brigade.js": SCRIPT }, args);
  const cpuBefore = lib.cpuMicros(bosun.pid);
  let n = 0;
  const r = await autocannon({
    url: bosun.url,
    connections: 50,
    duration: SECONDS,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...requests[n++ % requests.length] }) }],
  });
  const cpu = (lib.cpuMicros(bosun.pid) - cpuBefore) / Math.max(1, r["2xx"]);
  const runs = mode === "serve" ? (await bosun.api("/runs?limit=1000")).runs.length : 0;
  await bosun.stop();
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return { perSecond: r["2xx"] / SECONDS, cpu, runs };
}

const builds = [await build(oldTree), await build(newTree)];
const results = [[], []];
for (let round = 0; round < PAIRS; round++) {
  // Alternate which build goes first, so neither always follows the other's leftovers.
  const order = round % 2 ? [1, 0] : [0, 1];
  for (const i of order) results[i].push(await once(builds[i], round));
}
const mean = (rows, key) => rows.reduce((sum, r) => sum + r[key], 0) / rows.length;
console.log(`\n${mode}: ${PAIRS} alternating pairs of ${SECONDS} s, 50 connections, Docker Hub pushes`);
for (const [i, label] of [
  [0, "old"],
  [1, "new"],
]) {
  const rows = results[i];
  console.log(
    `  ${label} ${builds[i].root.padEnd(28)} ${mean(rows, "perSecond").toFixed(0).padStart(6)} req/s` +
      `  ${mean(rows, "cpu").toFixed(0).padStart(4)} µs CPU/push` +
      (mode === "serve" ? `  runs finished during load: ${rows.map((r) => r.runs).join(", ")}` : ""),
  );
}
const ratios = results[1].map((r, k) => r.perSecond / results[0][k].perSecond).sort((a, b) => a - b);
console.log(
  `  new/old req/s, per pair: ${ratios.map((x) => x.toFixed(2)).join(" ")}; median ${ratios[ratios.length >> 1].toFixed(3)}`,
);
