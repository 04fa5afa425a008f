// Ingest: accepted webhooks per second against bosun vs a bare node:http server answering 200, with
// the same load generator in the same run. Every bosun 2xx is a durable SQLite commit.
// First `bosun serve` and `bosun gateway --registry dockerhub` with Docker Hub payloads, then every
// registry's own gateway with the requests that registry sends (BENCH_REGISTRIES=none skips those).
import autocannon from "autocannon";
import { REGISTRIES } from "../gateways/dist/src/index.js";
import { TOKEN, cpuMicros, startBareServer, startBosun, webhookRequest } from "./lib.mjs";

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PER_REGISTRY = process.env.BENCH_REGISTRIES !== "none";
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;
const config = (registry) =>
  `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: ${registry} }] }\n`;

/**
 * The registry's own requests for pushes, each with a new tag (nothing deduplicated), made before the
 * run so that the load generator only sends while it is measured: it shares the machine's cores with
 * the server under test.
 */
function requestsFor(gateway) {
  const count = Math.ceil(DURATION * 30_000);
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = webhookRequest(gateway, `v${process.pid}.${i}`);
  }
  return out;
}

/**
 * Sends the gateway's requests at `servers` (one, or several sharing the connections) for DURATION;
 * counts 2xx answers and the servers' CPU per accepted request.
 */
export async function load(servers, gateway) {
  const targets = [servers].flat();
  const prepared = requestsFor(gateway);
  const cpuBefore = targets.map((t) => cpuMicros(t.pid));
  let n = 0;
  const results = await Promise.all(
    targets.map((target) =>
      autocannon({
        url: target.url,
        connections: Math.max(1, Math.round(CONNECTIONS / targets.length)),
        duration: DURATION,
        requests: [
          { method: "POST", setupRequest: (req) => ({ ...req, ...prepared[n++ % prepared.length] }) },
        ],
      }),
    ),
  );
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  const cpu = targets.reduce((total, t, i) => total + cpuMicros(t.pid) - cpuBefore[i], 0);
  return {
    // Less sensitive than req/s to what else the machine's cores are doing (the load generator shares them).
    cpuPerRequest: cpu / Math.max(1, sum("2xx")),
    perSecond: sum("2xx") / DURATION,
    non2xx: sum("non2xx"),
    errors: sum("errors"),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

export async function measure(label, command, args, gateway) {
  const bosun = await startBosun(command, config(gateway.kind), { "brigade.js": SCRIPT }, args);
  const r = await load(bosun, gateway);
  const stored = (await bosun.api("/events?limit=1")).events.length;
  await bosun.stop();
  if (r.non2xx || r.errors || stored === 0)
    throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${stored} stored`);
  return [label, r];
}

export async function measureBaseline() {
  const bare = await startBareServer();
  const r = await load(bare, dockerhubGateway());
  await bare.stop();
  return r;
}

export const dockerhubGateway = () => REGISTRIES.find((g) => g.kind === "dockerhub");

export async function benchIngest() {
  const dockerhub = dockerhubGateway();
  // The baseline moves from run to run on a shared machine: measured right before and right after
  // `bosun serve`, and the ratios taken against the mean of the two.
  const before = await measureBaseline();
  const serve = await measure("bosun serve (gateway + worker)", "serve", [], dockerhub);
  const after = await measureBaseline();
  const mean = (key) => (before[key] + after[key]) / 2;
  const baseline = {
    perSecond: mean("perSecond"),
    p99: Math.max(before.p99, after.p99),
    cpuPerRequest: mean("cpuPerRequest"),
  };
  console.log(
    `\nbaseline before and after bosun serve: ${before.perSecond.toFixed(0)} and ${after.perSecond.toFixed(0)} req/s`,
  );

  const rows = [["bare node:http (baseline, mean)", baseline], serve];
  if (PER_REGISTRY) {
    for (const gateway of REGISTRIES) {
      rows.push(
        await measure(
          `bosun gateway --registry ${gateway.kind}`,
          "gateway",
          ["--registry", gateway.kind],
          gateway,
        ),
      );
    }
  }
  console.log(
    `\ningest (${CONNECTIONS} connections, ${DURATION}s each, each registry's own payloads, unique tags)`,
  );
  for (const [label, r] of rows) {
    const ratio = (r.perSecond / baseline.perSecond).toFixed(2);
    console.log(
      `  ${label.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ${ratio}x baseline  server CPU ${r.cpuPerRequest.toFixed(0).padStart(4)} µs/request`,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
