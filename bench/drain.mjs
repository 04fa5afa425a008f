// Drain under sustained ingest: `bosun serve` takes Docker Hub pushes without pause (autocannon, 50
// connections, 25 s by default) while its worker runs a trivial script for each; printed are pushes
// accepted per second and runs finished per second over the same span. The worker shares the event
// loop with the gateways, so this shows whether the ingest hold-off leaves runs room to drain.
import autocannon from "autocannon";
import { REGISTRIES } from "../gateways/dist/src/index.js";
import { TOKEN, startBosun, webhookRequest } from "./lib.mjs";

const DURATION = Number(process.env.BENCH_DRAIN_SECONDS ?? 25);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;
const CONFIG = `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, concurrency: 8, subscriptions: [{ registry: dockerhub }] }\n`;

async function runsFinished(bosun) {
  const text = await (await fetch(`${bosun.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("bosun_runs_finished_total")) total += Number(line.split(" ").pop());
  }
  return total;
}

export async function benchDrain() {
  const gateway = REGISTRIES.find((g) => g.kind === "dockerhub");
  const bosun = await startBosun("serve", CONFIG, { "brigade.js": SCRIPT });
  let n = 0;
  const request = () => webhookRequest(gateway, `v${process.pid}.${n++}`);
  const before = await runsFinished(bosun);
  const result = await autocannon({
    url: bosun.url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...request() }) }],
  });
  const drained = (await runsFinished(bosun)) - before;
  await bosun.stop();
  const accepted = result["2xx"] / DURATION;
  console.log(`\ndrain under sustained ingest (${CONNECTIONS} connections, ${DURATION}s, bosun serve)`);
  console.log(`  pushes accepted  ${accepted.toFixed(0).padStart(7)} /s  (${result.non2xx} non-2xx)`);
  console.log(
    `  runs finished    ${(drained / DURATION).toFixed(1).padStart(7)} /s  (${drained} in ${DURATION}s)`,
  );
  return { accepted, drainedPerSecond: drained / DURATION };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDrain();
