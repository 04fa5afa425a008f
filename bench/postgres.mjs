// PostgreSQL: the store several gateways and workers share, measured against baselines in the same
// run on a throwaway PostgreSQL 15 cluster (test-support starts it; stopped afterwards).
// - ingest: Docker Hub webhooks through one and two `bosun gateway` processes on PostgreSQL, against
//   the SQLite gateway and the bare node:http server, same load generator (every 2xx is committed
//   with synchronous_commit on, which the bench reads back from the server);
// - drain: BENCH_DRAIN_EVENTS queued events, a handler that starts no job, one worker vs two;
// - push → handler start with the gateway and the worker in different processes, against
//   `bosun serve` on SQLite (one process) and a Node child process per event.
import pg from "pg";
import autocannon from "autocannon";
import { startPostgres } from "../test-support/dist/src/index.js";
import {
  CONFIG as DISPATCH_CONFIG,
  SCRIPT as DISPATCH_SCRIPT,
  childProcessLatencies,
  pushLatencies,
} from "./dispatch.mjs";
import { dockerhubGateway, load, measure, measureBaseline } from "./ingest.mjs";
import { TOKEN, cpuMicros, percentile, startBosun, webhookRequest } from "./lib.mjs";

const DRAIN_EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 2000);
const NOOP = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;
const INGEST_CONFIG = `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
// Two workers of eight runs each: the project's limit (shared by every worker) is not what binds.
const DRAIN_CONFIG = `worker: { maxRuns: 8 }\nprojects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, concurrency: 16, subscriptions: [{ registry: dockerhub }] }\n`;

/** A fresh database in the cluster, so that no measurement sees another's events. */
async function database(cluster, admin, name) {
  await admin.query(`CREATE DATABASE ${name}`);
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

const onStore = (url) => ({ BOSUN_STORE_URL: url });
const gateways = (count, config, url) =>
  Promise.all(
    Array.from({ length: count }, () =>
      startBosun("gateway", config, { "brigade.js": NOOP }, ["--registry", "dockerhub"], onStore(url)),
    ),
  );

async function ingestOn(url, count) {
  const servers = await gateways(count, INGEST_CONFIG, url);
  const r = await load(servers, dockerhubGateway());
  const stored = await countEvents(url);
  await Promise.all(servers.map((s) => s.stop()));
  if (r.non2xx || r.errors) throw new Error(`${count} gateway(s): ${r.non2xx} non-2xx, ${r.errors} errors`);
  // Every 2xx is a committed event: the count in the database is at least the 2xx counted.
  if (stored < r.perSecond * Number(process.env.BENCH_SECONDS ?? 5))
    throw new Error(`${count} gateway(s): ${stored} events stored, fewer than the 2xx answers`);
  return r;
}

async function countEvents(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query("SELECT count(*)::int AS n FROM events");
  await client.end();
  return rows[0].n;
}

async function benchIngestPostgres(cluster, admin) {
  const dockerhub = dockerhubGateway();
  const bare = await measureBaseline();
  const [, sqlite] = await measure("sqlite", "gateway", ["--registry", "dockerhub"], dockerhub);
  const one = await ingestOn(await database(cluster, admin, "ingest_one"), 1);
  const two = await ingestOn(await database(cluster, admin, "ingest_two"), 2);
  const { rows } = await admin.query("SHOW synchronous_commit");
  console.log(
    `\ningest on PostgreSQL (server synchronous_commit: ${rows[0].synchronous_commit}; Bosun sets it on per session)`,
  );
  const row = (label, r) =>
    console.log(
      `  ${label.padEnd(40)} ${r.perSecond.toFixed(0).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms  ${(r.perSecond / bare.perSecond).toFixed(2)}x baseline  server CPU ${r.cpuPerRequest.toFixed(0).padStart(4)} µs/request`,
    );
  row("bare node:http (baseline)", bare);
  row("bosun gateway, SQLite", sqlite);
  row("bosun gateway, PostgreSQL, 1 process", one);
  row("bosun gateway, PostgreSQL, 2 processes", two);
  console.log(`  two gateways / one: ${(two.perSecond / one.perSecond).toFixed(2)}x`);
}

/** Queues `count` pushes through a gateway (no worker yet), each with its own tag. */
async function queue(url, count) {
  const [gateway] = await gateways(1, DRAIN_CONFIG, url);
  let n = 0;
  const result = await autocannon({
    url: gateway.url,
    connections: 20,
    amount: count,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => ({ ...req, ...webhookRequest(dockerhubGateway(), `q${n++}`) }),
      },
    ],
  });
  await gateway.stop();
  if (result["2xx"] !== count) throw new Error(`queueing: ${result["2xx"]} of ${count} accepted`);
}

/** Starts `workers` worker processes and waits until every queued event is done; the span from the database. */
async function drain(url, workers) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const procs = await Promise.all(
    Array.from({ length: workers }, () =>
      startBosun("worker", DRAIN_CONFIG, { "brigade.js": NOOP }, [], onStore(url)),
    ),
  );
  const cpuBefore = procs.map((p) => cpuMicros(p.pid));
  const deadline = Date.now() + 600_000;
  for (;;) {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM events WHERE state <> 'done'");
    if (rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error(`drain with ${workers} worker(s): ${rows[0].n} events left`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = procs.reduce((total, p, i) => total + cpuMicros(p.pid) - cpuBefore[i], 0);
  await Promise.all(procs.map((p) => p.stop()));
  // From the first run's creation to the last run's end, by the runs' own timestamps.
  const { rows } = await client.query(
    "SELECT count(*)::int AS runs, min(created_at) AS first, max(finished_at) AS last FROM runs",
  );
  await client.end();
  const seconds = (Date.parse(rows[0].last) - Date.parse(rows[0].first)) / 1000;
  return { runs: rows[0].runs, seconds, perSecond: rows[0].runs / seconds, cpuPerRun: cpu / rows[0].runs };
}

async function benchDrainPostgres(cluster, admin) {
  const urls = [await database(cluster, admin, "drain_one"), await database(cluster, admin, "drain_two")];
  for (const url of urls) await queue(url, DRAIN_EVENTS);
  const one = await drain(urls[0], 1);
  const two = await drain(urls[1], 2);
  console.log(`\ndrain on PostgreSQL (${DRAIN_EVENTS} queued events, a handler that starts no job)`);
  for (const [label, r] of [
    ["1 worker", one],
    ["2 workers", two],
  ])
    console.log(
      `  ${label.padEnd(10)} ${r.perSecond.toFixed(1).padStart(7)} runs/s  (${r.runs} runs in ${r.seconds.toFixed(1)} s)  workers' CPU ${(r.cpuPerRun / 1000).toFixed(1)} ms/run`,
    );
  console.log(`  two workers / one: ${(two.perSecond / one.perSecond).toFixed(2)}x`);
}

async function benchDispatchPostgres(cluster, admin) {
  const url = await database(cluster, admin, "dispatch");
  const files = { "brigade.js": DISPATCH_SCRIPT };
  const gateway = await startBosun(
    "gateway",
    DISPATCH_CONFIG,
    files,
    ["--registry", "dockerhub"],
    onStore(url),
  );
  const worker = await startBosun("worker", DISPATCH_CONFIG, files, [], onStore(url));
  const apart = await pushLatencies(gateway, worker);
  await Promise.all([gateway.stop(), worker.stop()]);
  const serve = await startBosun("serve", DISPATCH_CONFIG, files);
  const together = await pushLatencies(serve);
  await serve.stop();
  const child = await childProcessLatencies();
  const p = (xs, q) => String(percentile(xs, q)).padStart(4);
  console.log(`\npush → handler start (${apart.length} pushes, one at a time)`);
  console.log(`  gateway and worker apart, PostgreSQL     p50 ${p(apart, 50)} ms  p99 ${p(apart, 99)} ms`);
  console.log(
    `  bosun serve, SQLite (one process)        p50 ${p(together, 50)} ms  p99 ${p(together, 99)} ms`,
  );
  console.log(`  node child process per event (baseline)  p50 ${p(child, 50)} ms  p99 ${p(child, 99)} ms`);
  console.log(
    `  ratio (baseline p50 / PostgreSQL p50)    ${(percentile(child, 50) / Math.max(percentile(apart, 50), 1)).toFixed(1)}x faster`,
  );
}

export async function benchPostgres() {
  const cluster = await startPostgres();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await benchIngestPostgres(cluster, admin);
    await benchDrainPostgres(cluster, admin);
    await benchDispatchPostgres(cluster, admin);
  } finally {
    await admin.end();
    await cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPostgres();
