// Ingest: accepted Docker Hub webhooks per second, bosun vs a bare node:http server answering 200,
// with the same load generator in the same run. Every bosun 2xx is a durable SQLite commit.
import autocannon from "autocannon";
import { TOKEN, dockerHubPush, startBareServer, startBosun } from "./lib.mjs";

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CONFIG = `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;

async function load(url, path) {
  let n = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: "POST",
        path,
        headers: { "content-type": "application/json" },
        // A new tag per request: each push is a distinct event, none deduplicated.
        setupRequest: (req) => ({ ...req, body: dockerHubPush(`v${process.pid}.${n++}`) }),
      },
    ],
  });
  const ok = result["2xx"];
  return { perSecond: ok / DURATION, non2xx: result.non2xx, errors: result.errors, p99: result.latency.p99 };
}

export async function benchIngest() {
  const bare = await startBareServer();
  const baseline = await load(bare.url, "/events/dockerhub/hub");
  await bare.stop();

  const rows = [["bare node:http (baseline)", baseline]];
  for (const [label, command, args] of [
    ["bosun gateway --registry dockerhub", "gateway", ["--registry", "dockerhub"]],
    ["bosun serve (gateway + worker)", "serve", []],
  ]) {
    const bosun = await startBosun(command, CONFIG, { "brigade.js": SCRIPT }, args);
    const r = await load(bosun.url, `/events/dockerhub/hub?access_token=${TOKEN}`);
    const stored = (await bosun.api("/events?limit=1000")).events.length;
    await bosun.stop();
    if (r.non2xx || r.errors || stored === 0)
      throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${stored} stored`);
    rows.push([label, r]);
  }
  console.log(`\ningest (${CONNECTIONS} connections, ${DURATION}s each, Docker Hub payloads, unique tags)`);
  for (const [label, r] of rows) {
    const ratio = (r.perSecond / baseline.perSecond).toFixed(2);
    console.log(
      `  ${label.padEnd(36)} ${r.perSecond.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ${ratio}x baseline`,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIngest();
