// Push → handler start: from sending a webhook to the first line of the project's handler, one push
// at a time, p50 and p99. Baseline in the same run: spawning a Node child process per event (the
// model of per-event processes) until its first line.
import { spawn } from "node:child_process";
import { TOKEN, dockerHubPush, percentile, startBosun } from "./lib.mjs";

const N = Number(process.env.BENCH_PUSHES ?? 200);
export const CONFIG = `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
// The handler's first line records when it started, by the same wall clock as the sender.
export const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => { console.log("started " + Date.now()); });\n`;

/** Pushes to `gateway` one at a time; reads each run's first line through `reader`'s API. */
export async function pushLatencies(gateway, reader = gateway) {
  const latencies = [];
  for (let i = 0; i < N + 10; i++) {
    const sent = Date.now();
    const res = await fetch(`${gateway.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: dockerHubPush(`d${i}`),
    });
    const { accepted } = await res.json();
    let started;
    while (started === undefined) {
      const { runs } = await reader.api(`/runs?event=${accepted[0]}`);
      if (runs[0] && runs[0].status !== "running") {
        const { logs } = await reader.api(`/runs/${runs[0].id}/logs`);
        started = Number(/started (\d+)/.exec(logs.map((l) => l.text).join(""))?.[1]);
      } else await new Promise((r) => setTimeout(r, 2));
    }
    if (i >= 10) latencies.push(started - sent); // the first pushes warm the bundle cache and JIT
  }
  return latencies.sort((a, b) => a - b);
}

export async function childProcessLatencies() {
  const latencies = [];
  for (let i = 0; i < Math.min(N, 50); i++) {
    const sent = Date.now();
    const started = await new Promise((resolve) => {
      const child = spawn(process.execPath, ["-e", "console.log('started ' + Date.now())"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      child.stdout.once("data", (d) => resolve(Number(/started (\d+)/.exec(String(d))[1])));
    });
    latencies.push(started - sent);
  }
  return latencies.sort((a, b) => a - b);
}

export async function benchDispatch() {
  const bosun = await startBosun("serve", CONFIG, { "brigade.js": SCRIPT });
  const ours = await pushLatencies(bosun);
  await bosun.stop();
  const child = await childProcessLatencies();
  const p = (xs, q) => percentile(xs, q);
  console.log(
    `\npush → handler start (${ours.length} pushes, one at a time; fresh isolate per event, cached bundle)`,
  );
  console.log(
    `  bosun serve                        p50 ${String(p(ours, 50)).padStart(4)} ms  p99 ${String(p(ours, 99)).padStart(4)} ms`,
  );
  console.log(
    `  node child process per event       p50 ${String(p(child, 50)).padStart(4)} ms  p99 ${String(p(child, 99)).padStart(4)} ms  (baseline)`,
  );
  console.log(
    `  ratio (baseline p50 / bosun p50)   ${(p(child, 50) / Math.max(p(ours, 50), 1)).toFixed(1)}x faster`,
  );
  return { ours, child };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDispatch();
