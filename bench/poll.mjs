// Watched registries: what one poll cycle costs the registry when nothing changed, and how long a
// push takes to become an event with polling every 2 s. Against Debian's docker-registry, with a
// counting proxy in front of it; baselines in the same run: the target request count (one tag list
// per repository, no manifest GET) and the bare tag-list round trip.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../core/dist/src/index.js";
import { openSqliteStore } from "../store/dist/src/index.js";
import { ensureTestImage, startRegistry } from "../test-support/dist/src/index.js";
import { Poller } from "../watchers/dist/src/index.js";
import { freePort, percentile } from "./lib.mjs";

const REPOSITORIES = Number(process.env.BENCH_REPOSITORIES ?? 50);
const TAGS = Number(process.env.BENCH_TAGS ?? 20);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 15);
const INTERVAL = "2s";
const OCI = "application/vnd.oci.image.manifest.v1+json";

/** Every repository holds the same manifest under TAGS tags: one skopeo copy, then blob mounts and PUTs. */
async function fill(registry, repositories) {
  await registry.push(repositories[0], "t00");
  const got = await fetch(`${registry.url}/v2/${repositories[0]}/manifests/t00`, {
    headers: { Accept: OCI },
  });
  const body = await got.text();
  const type = got.headers.get("content-type");
  const manifest = JSON.parse(body);
  const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  for (const [i, repository] of repositories.entries()) {
    if (i > 0)
      for (const blob of blobs) {
        const url = `${registry.url}/v2/${repository}/blobs/uploads/?mount=${blob}&from=${repositories[0]}`;
        const mounted = await fetch(url, { method: "POST" });
        if (mounted.status !== 201) throw new Error(`mount ${blob} into ${repository}: ${mounted.status}`);
      }
    for (let t = 0; t < TAGS; t++) {
      const tag = `t${String(t).padStart(2, "0")}`;
      const put = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
        method: "PUT",
        headers: { "content-type": type },
        body,
      });
      if (put.status !== 201) throw new Error(`PUT ${repository}:${tag}: ${put.status}`);
    }
  }
}

/** A proxy in front of the registry that counts what it is asked, by kind. */
async function countingProxy(registry) {
  const counts = new Map();
  const target = new URL(registry.url);
  const kindOf = (method, path) => {
    if (/^\/v2\/.+\/tags\/list$/.test(path)) return "tag list";
    if (/^\/v2\/.+\/manifests\//.test(path)) return `manifest ${method}`;
    return `${method} ${path === "/v2/" ? "/v2/" : "other"}`;
  };
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const kind = kindOf(req.method, new URL(req.url, "http://x").pathname);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return {
    host: `127.0.0.1:${port}`,
    counts,
    stop: () => new Promise((r) => server.close(r)),
  };
}

function configOf(address, repositories, interval) {
  const parsed = parseConfig(
    [
      "registries:",
      `  - { name: bench, address: "${address}", insecure: true, repositories: [${repositories.join(", ")}], interval: ${interval}, jitter: 0s }`,
      "projects:",
      "  - { name: watch, script: ./a.js, subscriptions: [{ registry: poll }] }",
    ].join("\n"),
    { file: join(tmpdir(), "bosun.yaml") },
  );
  if (parsed.errors) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

async function cycleCost(registry, dir) {
  const repositories = Array.from({ length: REPOSITORIES }, (_, i) => `bench/r${String(i).padStart(2, "0")}`);
  await fill(registry, repositories);
  const proxy = await countingProxy(registry);
  const store = await openSqliteStore({ dataDir: join(dir, "cycle") });
  const config = configOf(proxy.host, repositories, "1h");
  // The first scan records every tag, without the registry's request budget; the measured one has it.
  const recorder = new Poller({
    store,
    accounts: config.registries,
    projects: () => config.projects,
    gate: { perSecond: 10_000 },
  });
  await recorder.pollNow();
  await recorder.stop();
  const poller = new Poller({ store, accounts: config.registries, projects: () => config.projects });
  proxy.counts.clear();
  const started = performance.now();
  const outcomes = await poller.pollNow();
  const took = performance.now() - started;
  const failed = outcomes.filter((o) => "error" in o);
  if (failed.length > 0) throw failed[0].error;
  const fired = outcomes.reduce((n, o) => n + o.fired, 0);
  const counts = new Map(proxy.counts);
  await poller.stop();
  await store.close();
  await proxy.stop();
  return { counts, took, fired };
}

async function pushToEvent(registry, dir) {
  const repository = "bench/latency";
  await registry.push(repository, "seed");
  const store = await openSqliteStore({ dataDir: join(dir, "latency") });
  const config = configOf(registry.host, [repository], INTERVAL);
  const poller = new Poller({ store, accounts: config.registries, projects: () => config.projects });
  await poller.pollNow();
  poller.start();
  const latencies = [];
  for (let i = 0; i < PUSHES; i++) {
    const tag = `p${i}`;
    const seen = new Promise((resolve) => {
      const stop = store.onEventsAccepted(async () => {
        const events = await store.listEvents({ project: "watch", limit: 5 });
        if (events.some((e) => e.image?.tag === tag)) {
          stop();
          resolve(Date.now());
        }
      });
    });
    // A push at a random moment of the interval, not right after the scan that saw the last one.
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    await registry.push(repository, tag);
    const pushed = Date.now(); // skopeo copy has exited: the tag is there
    latencies.push((await seen) - pushed);
  }
  await poller.stop();
  await store.close();
  const roundTrips = [];
  for (let i = 0; i < 50; i++) {
    const sent = performance.now();
    const res = await fetch(`${registry.url}/v2/${repository}/tags/list`);
    await res.arrayBuffer();
    roundTrips.push(performance.now() - sent);
  }
  return { latencies: latencies.sort((a, b) => a - b), roundTrips: roundTrips.sort((a, b) => a - b) };
}

export async function benchPoll() {
  ensureTestImage();
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-poll-"));
  const registry = await startRegistry();
  try {
    const { counts, took, fired } = await cycleCost(registry, dir);
    const n = (kind) => counts.get(kind) ?? 0;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const lists = n("tag list");
    console.log(
      `\npoll cycle with nothing changed (${REPOSITORIES} repositories × ${TAGS} tags, docker-registry behind a counting proxy)`,
    );
    console.log(
      `  tag-list requests   ${String(lists).padStart(6)}  ${(lists / REPOSITORIES).toFixed(2)}x target (one per repository)`,
    );
    console.log(`  manifest GETs       ${String(n("manifest GET")).padStart(6)}  (target 0)`);
    console.log(
      `  manifest HEADs      ${String(n("manifest HEAD")).padStart(6)}  (${(n("manifest HEAD") / (REPOSITORIES * TAGS)).toFixed(2)} per tag)`,
    );
    console.log(
      `  every request       ${String(total).padStart(6)}  ${(total / REPOSITORIES).toFixed(1)} per repository; events fired: ${fired}`,
    );
    console.log(
      `  the cycle took      ${took.toFixed(0).padStart(6)} ms  (the registry's budget of 10 requests/s: ${(total / 10).toFixed(0)} s for ${total})`,
    );

    const { latencies, roundTrips } = await pushToEvent(registry, dir);
    const p = (xs, q) => percentile(xs, q);
    console.log(
      `\nskopeo copy → event, polling every ${INTERVAL} (${latencies.length} pushes, one at a time)`,
    );
    console.log(
      `  push → event                 p50 ${String(p(latencies, 50)).padStart(6)} ms  p99 ${String(p(latencies, 99)).padStart(6)} ms`,
    );
    console.log(
      `  bare tag-list round trip     p50 ${p(roundTrips, 50).toFixed(1).padStart(6)} ms  p99 ${p(roundTrips, 99).toFixed(1).padStart(6)} ms  (baseline)`,
    );
    console.log(
      `  push → event p50 / interval  ${(p(latencies, 50) / 2000).toFixed(2)}x  (half the interval, 0.50x, is the wait of a push at a random moment)`,
    );
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPoll();
