// Job overhead: one Bosun job (create, start, wait, logs, remove) on the docker executor against
// `podman run --rm` of the same image and command, in the same run. Needs podman and the test image
// (bash scripts/build-test-image.sh).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerExecutor } from "../worker/dist/src/index.js";
import { percentile } from "./lib.mjs";

const N = Number(process.env.BENCH_JOBS ?? 15);
const IMAGE = "localhost/busybox:test";

async function withPodmanService(fn) {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-jobs-"));
  const socketPath = join(dir, "podman.sock");
  const service = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], {
    stdio: "ignore",
  });
  try {
    const executor = new DockerExecutor({ socketPath });
    for (let i = 0; i < 50; i++) {
      if (
        await executor.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return await fn(executor);
  } finally {
    service.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchJobs() {
  const ours = await withPodmanService(async (executor) => {
    const times = [];
    for (let i = 0; i < N + 2; i++) {
      const t0 = performance.now();
      const r = await executor.run(
        { name: `bench-${i}`, image: IMAGE, tasks: ["echo ok"], env: {}, labels: { "bosun.bench": "jobs" } },
        { signal: new AbortController().signal },
      );
      if (r.outcome !== "succeeded") throw new Error(`job ${r.outcome}: ${r.error?.message}`);
      if (i >= 2) times.push(performance.now() - t0);
    }
    executor.close();
    return times.sort((a, b) => a - b);
  });
  const raw = [];
  for (let i = 0; i < N + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync("podman", ["run", "--rm", IMAGE, "/bin/sh", "-e", "-c", "echo ok"], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`podman run failed: ${r.stderr}`);
    if (i >= 2) raw.push(performance.now() - t0);
  }
  raw.sort((a, b) => a - b);
  const f = (x) => x.toFixed(0).padStart(5);
  console.log(`\njob overhead (${N} jobs of "echo ok" in ${IMAGE}, one at a time)`);
  console.log(
    `  bosun docker executor (API)   p50 ${f(percentile(ours, 50))} ms  p99 ${f(percentile(ours, 99))} ms`,
  );
  console.log(
    `  podman run --rm (baseline)    p50 ${f(percentile(raw, 50))} ms  p99 ${f(percentile(raw, 99))} ms`,
  );
  console.log(
    `  ratio (bosun p50 / baseline p50) ${(percentile(ours, 50) / percentile(raw, 50)).toFixed(2)}x`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchJobs();
