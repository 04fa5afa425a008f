// The dashboard in headless Chromium (Debian's, driven by playwright-core) against `bosun serve`:
//   log latency: a host job prints lines stamped with the time; an open job page records when each
//   is shown (p50, p99), against a Node client polling GET /api/v1/runs/:id/logs every 10 ms in the
//   same run (the baseline: the line's time to the API itself);
//   first load on a store of 10,000 runs: navigation to the runs list shown, and the bytes the page
//   transferred, cold cache, against a navigation to /healthz in the same browser (the baseline).
/* global window, document, MutationObserver -- used in the functions page.evaluate runs in the page */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { openSqliteStore } from "../store/dist/src/index.js";
import { dockerHubPush, percentile, startBosun, TOKEN } from "./lib.mjs";

const LINES = Number(process.env.BENCH_LOG_LINES ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const LOADS = Number(process.env.BENCH_ROUNDS ?? 10);
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Each line carries the wall-clock time it was printed (ms, with a fraction), as the page sees it.
const SCRIPT = `
const { events, Job } = require("brigadier");
events.on("image_push", async () => {
  const job = new Job("printer", "none", [
    "i=0; while [ $i -lt ${LINES} ]; do echo \\"mark $(date +%s%N)\\"; i=$((i+1)); sleep 0.02; done",
  ]);
  await job.run();
});
`;

const config = (extra = "") =>
  `${extra}projects:\n  - { name: hub, script: ./brigade.js, executor: host, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;

async function seed(dir) {
  const store = await openSqliteStore({ dataDir: join(dir, "data") });
  const started = performance.now();
  for (let done = 0; done < RUNS; done += 500) {
    const events = Array.from({ length: Math.min(500, RUNS - done) }, (_, i) => ({
      project: "hub",
      source: "dockerhub",
      type: "image_push",
      image: {
        registry: "docker.io",
        repository: "team/app",
        tag: `v${done + i}`,
        ref: `docker.io/team/app:v${done + i}`,
      },
      payload: "{}",
      deliveryId: `seed-${done + i}`,
    }));
    const { accepted } = await store.acceptEvents(events);
    const runs = await Promise.all(
      accepted.map((e) => store.createRun({ eventId: e.id, project: "hub", attempt: 1, handler: "script" })),
    );
    await Promise.all(runs.map((r, i) => store.finishRun(r.id, i % 7 === 0 ? "failed" : "succeeded")));
    for (const e of accepted) {
      const claim = await store.claimEvent({ owner: "seed", leaseMs: 60_000 });
      if (claim) await store.finishEvent(claim.event.id, "seed");
      void e;
    }
  }
  await store.close();
  return performance.now() - started;
}

async function withBrowser(fn) {
  const profile = mkdtempSync(join(tmpdir(), "bosun-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
  try {
    return await fn(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function pushOnce(bosun, tag) {
  const res = await fetch(`${bosun.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: dockerHubPush(tag),
  });
  if (!res.ok) throw new Error(`push answered ${res.status}: ${await res.text()}`);
}

async function waitForJob(bosun) {
  for (;;) {
    const { runs } = await bosun.api("/runs?project=hub&limit=1");
    if (runs[0]) {
      const run = await bosun.api(`/runs/${runs[0].id}`);
      if (run.jobs[0]) return { run, job: run.jobs[0] };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Latency of each "mark <ns>" line: from its time to when the observer saw it, in ms. */
const latencies = (marks) =>
  marks
    .map(({ text, at }) => at - Number(/mark (\d+)/.exec(text)?.[1] ?? NaN) / 1e6)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);

async function logLatency() {
  const bosun = await startBosun("serve", config(), { "brigade.js": SCRIPT });
  try {
    return await withBrowser(async (context) => {
      const page = await context.newPage();
      await page.addInitScript((t) => sessionStorage.setItem("bosun.token", t), bosun.adminToken());
      await page.goto(`${bosun.url}/#/runs`);
      await page.waitForSelector("#live.on");
      await pushOnce(bosun, "log-1");
      const { run, job } = await waitForJob(bosun);
      await page.goto(`${bosun.url}/#/runs/${run.id}/jobs/${job.id}`);
      await page.waitForSelector(".log");
      // The page records each line as it is added; lines shown before the observer are left out.
      await page.evaluate(() => {
        window.marks = [];
        new MutationObserver((changes) => {
          const at = Date.now() + (performance.now() % 1);
          for (const c of changes)
            for (const n of c.addedNodes)
              if (n.textContent?.startsWith("mark ")) window.marks.push({ text: n.textContent, at });
        }).observe(document.querySelector(".log"), { childList: true });
      });
      // The baseline, meanwhile: the API polled for new lines every 10 ms.
      const polled = [];
      let after = 0;
      let finished = false;
      while (!finished) {
        const { logs, run: state } = await bosun.api(`/runs/${run.id}/logs?after=${after}&limit=1000`);
        const at = Date.now();
        for (const l of logs)
          for (const line of l.text.split("\n"))
            if (line.startsWith("mark ")) polled.push({ text: line, at });
        if (logs.length) after = logs.at(-1).seq;
        finished = state.status !== "running";
        await new Promise((r) => setTimeout(r, 10));
      }
      const shown = latencies(await page.evaluate(() => window.marks));
      return { shown, polled: latencies(polled) };
    });
  } finally {
    await bosun.stop();
  }
}

async function firstLoad() {
  let seeded = 0;
  const bosun = await startBosun("serve", config(), { "brigade.js": SCRIPT }, [], {}, async (dir) => {
    seeded = await seed(dir);
  });
  try {
    return await withBrowser(async (context) => {
      const loads = [];
      const baseline = [];
      for (let i = 0; i < LOADS; i++) {
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
        let bytes = 0;
        cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
        await page.addInitScript((t) => sessionStorage.setItem("bosun.token", t), bosun.adminToken());
        const t0 = performance.now();
        await page.goto(`${bosun.url}/#/runs`);
        await page.waitForSelector("tr[data-run]");
        const ms = performance.now() - t0;
        const rows = await page.locator("tr[data-run]").count();
        // The stream stays open, so it is not finished: what it sent so far is not in `bytes`.
        loads.push({ ms, bytes, rows });
        const t1 = performance.now();
        await page.goto(`${bosun.url}/healthz`);
        baseline.push(performance.now() - t1);
        await page.close();
      }
      return { loads, baseline, seeded };
    });
  } finally {
    await bosun.stop();
  }
}

export async function benchDashboard() {
  const { shown, polled } = await logLatency();
  const line = (name, s, note = "") =>
    `  ${name.padEnd(44)} p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms  p99 ${percentile(s, 99).toFixed(1).padStart(6)} ms${note}`;
  console.log(
    `\ndashboard log latency (a host job prints ${LINES} stamped lines, 20 ms apart; ${shown.length} seen by the page)`,
  );
  console.log(line("job prints a line → shown in the open page", shown));
  console.log(line("job prints a line → API poll every 10 ms", polled, "  (baseline)"));
  console.log(
    `  ratio (page p50 / baseline p50)              ${(percentile(shown, 50) / percentile(polled, 50)).toFixed(2)}x`,
  );

  const { loads, baseline, seeded } = await firstLoad();
  const ms = loads.map((l) => l.ms).sort((a, b) => a - b);
  const bytes = loads.map((l) => l.bytes).sort((a, b) => a - b);
  const base = [...baseline].sort((a, b) => a - b);
  console.log(
    `\ndashboard first load (store of ${RUNS} runs, seeded in ${(seeded / 1000).toFixed(1)} s; ${LOADS} cold loads, ${loads[0].rows} rows shown)`,
  );
  console.log(
    `  navigation → runs list shown              p50 ${percentile(ms, 50).toFixed(0).padStart(5)} ms  p99 ${percentile(ms, 99).toFixed(0).padStart(5)} ms  bytes ${percentile(bytes, 50)}`,
  );
  console.log(
    `  navigation → /healthz (baseline)          p50 ${percentile(base, 50).toFixed(0).padStart(5)} ms  p99 ${percentile(base, 99).toFixed(0).padStart(5)} ms`,
  );
  console.log(
    `  ratio (dashboard p50 / baseline p50)      ${(percentile(ms, 50) / percentile(base, 50)).toFixed(1)}x; budget 1000 ms and 300 KB`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDashboard();
