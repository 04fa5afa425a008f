// Job overhead: one Bosun job on the docker executor (inspect image, create, attach, start, wait,
// remove) against `podman run --rm` of the same image and command, in the same run. Needs podman and
// the test image (bash scripts/build-test-image.sh).
//
// Fair by construction: the same image, command (`/bin/sh -e -c "echo ok"`, what a one-task job
// runs) and network on both sides, warm-up rounds that are not counted, and the variants interleaved
// round by round (their order rotating) so that a noisy neighbour hits them alike. One job at a time.
// The network is named on both sides because the defaults differ: the Docker-compatible API gives a
// container the bridge network, while `podman run` follows containers.conf (netns = "none" on these
// machines), and the bridge costs ~0.3 s per container (netavark's iptables rules, set up and torn
// down). Each network is measured as its own block: "bridge" (what jobs get by default) and "none".
//
// The executor returns a finished job's result once its exit code and output are in, and removes
// the container after that (Podman's service can remove it only after its post-exit cleanup, ~0.25 s
// later). So three numbers for Bosun: "until result" (each round waits for the removal before the
// next starts), "until container removed", and "right after another job": a job started as soon as
// the previous one returned, while that one's container is still being removed, as in a pipeline.
//
// Knobs: BENCH_JOBS (rounds counted, default 15), BENCH_JOBS_WARMUP (default 3), BENCH_JOBS_ALT (the
// path of another build's worker/dist/src/index.js, run as one more interleaved variant: for A/B
// comparisons of executor changes), BENCH_JOBS_REMOTE=0 to leave out `podman --remote run --rm`,
// BENCH_JOBS_NETWORKS (default "bridge,none").
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerExecutor } from "../executors/dist/src/index.js";
import { percentile } from "./lib.mjs";

const N = Number(process.env.BENCH_JOBS ?? 15);
const WARMUP = Number(process.env.BENCH_JOBS_WARMUP ?? 3);
const ALT = process.env.BENCH_JOBS_ALT;
const REMOTE = process.env.BENCH_JOBS_REMOTE !== "0";
const NETWORKS = (process.env.BENCH_JOBS_NETWORKS ?? "bridge,none").split(",").filter(Boolean);
const IMAGE = "localhost/busybox:test";
const COMMAND = ["/bin/sh", "-e", "-c", "echo ok"];
const LABELS = { "bosun.bench": "jobs" };

async function withPodmanService(fn) {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-jobs-"));
  const socketPath = join(dir, "podman.sock");
  const service = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], {
    stdio: "ignore",
  });
  try {
    const probe = new DockerExecutor({ socketPath });
    for (let i = 0; i < 50; i++) {
      if (
        await probe.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await probe.close();
    return await fn(socketPath);
  } finally {
    service.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A variant measuring a Bosun job: { result, removed } in ms. Back to back: a first job is run and
 * the measured one starts as soon as the first has returned, while the first one's container is
 * still being removed (as in a pipeline of jobs); the first is not counted.
 */
function bosunVariant(name, executor, { backToBack = false } = {}) {
  const job = async (i, tag) => {
    const r = await executor.run(
      { name: `bench-${i}-${tag}`, image: IMAGE, tasks: ["echo ok"], env: {}, labels: LABELS },
      { signal: new AbortController().signal },
    );
    if (r.outcome !== "succeeded" || r.output !== "ok\n") {
      throw new Error(`${name}: job ${r.outcome} (${JSON.stringify(r.output)}): ${r.error?.message}`);
    }
  };
  return {
    name,
    executor,
    backToBack,
    async once(i) {
      if (backToBack) await job(i, "first");
      const t0 = performance.now();
      await job(i, "measured");
      const result = performance.now() - t0;
      // Builds without settled() removed the container before returning the result.
      await executor.settled?.();
      return { result, removed: performance.now() - t0 };
    },
  };
}

/** A variant running the podman command: its exit is both the result and the removal. */
function podmanVariant(name, prefixArgs, network) {
  return {
    name,
    async once() {
      const t0 = performance.now();
      const args = [...prefixArgs, "run", "--rm", `--network=${network}`, IMAGE, ...COMMAND];
      const r = spawnSync("podman", args, { encoding: "utf8" });
      const t = performance.now() - t0;
      if (r.status !== 0 || r.stdout !== "ok\n") throw new Error(`${name} failed: ${r.stderr}`);
      return { result: t, removed: t };
    },
  };
}

export async function benchJobs() {
  await withPodmanService(async (socketPath) => {
    for (const network of NETWORKS) await benchNetwork(socketPath, network);
    console.log(
      "  (the executor returns a finished job's result first and removes its container right after:\n" +
        '   "until container removed" waits for that removal, and "right after another job" runs while\n' +
        "   the previous job's container is being removed. Containers left with the bench's label: " +
        `${await listLeftovers(socketPath)})`,
    );
  });
}

async function benchNetwork(socketPath, network) {
  const executor = new DockerExecutor({ socketPath, network });
  const ours = bosunVariant("bosun", executor);
  const variants = [
    ours,
    podmanVariant("podman run --rm", [], network),
    bosunVariant("bosun", executor, { backToBack: true }),
  ];
  if (REMOTE) {
    variants.push(
      podmanVariant("podman --remote run --rm", ["--remote", "--url", `unix://${socketPath}`], network),
    );
  }
  if (ALT) {
    const alt = await import(ALT);
    const altExecutor = new alt.DockerExecutor({ socketPath, network });
    variants.push(bosunVariant("alt build", altExecutor));
    variants.push(bosunVariant("alt build", altExecutor, { backToBack: true }));
  }
  const times = new Map(variants.map((v) => [v, { result: [], removed: [] }]));
  for (let round = 0; round < WARMUP + N; round++) {
    // Rotate the order every round: no variant always runs right after another.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(round + k) % variants.length];
      const t = await v.once(round);
      if (round >= WARMUP) {
        times.get(v).result.push(t.result);
        times.get(v).removed.push(t.removed);
      }
    }
  }
  for (const e of new Set(variants.map((v) => v.executor))) await e?.close();

  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const p = (xs, q) => percentile(sorted(xs), q);
  const f = (x) => x.toFixed(0).padStart(5);
  const line = (label, xs) =>
    console.log(`  ${label.padEnd(66)} p50 ${f(p(xs, 50))} ms  p99 ${f(p(xs, 99))} ms`);
  const base = times.get(variants[1]).result;
  console.log(
    `\njob overhead, --network=${network} (${N} rounds of "echo ok" in ${IMAGE}, one job at a time, variants interleaved, ${WARMUP} warm-up rounds)`,
  );
  for (const v of variants) {
    const t = times.get(v);
    if (v.backToBack) {
      line(`${v.name} docker executor, right after another job, until result`, t.result);
    } else if (v.executor) {
      line(`${v.name} docker executor, until result`, t.result);
      line(`${v.name} docker executor, until container removed`, t.removed);
    } else {
      line(`${v.name}${v === variants[1] ? " (baseline)" : ""}`, t.result);
    }
  }
  const ratio = (xs) => (p(xs, 50) / p(base, 50)).toFixed(2);
  const b2b = (prefix) => times.get(variants.find((v) => v.backToBack && v.name === prefix)).result;
  console.log(
    `  ratio (bosun p50 / baseline p50), --network=${network}: until result ${ratio(times.get(ours).result)}x,` +
      ` until container removed ${ratio(times.get(ours).removed)}x, right after another job ${ratio(b2b("bosun"))}x`,
  );
  if (ALT) {
    const alt = times.get(variants.find((v) => v.name === "alt build" && !v.backToBack));
    console.log(
      `  ratio (alt build p50 / baseline p50): until result ${ratio(alt.result)}x,` +
        ` until container removed ${ratio(alt.removed)}x, right after another job ${ratio(b2b("alt build"))}x`,
    );
  }
}

async function listLeftovers(socketPath) {
  const executor = new DockerExecutor({ socketPath });
  try {
    return (await executor.client.listContainers(LABELS)).length;
  } finally {
    await executor.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchJobs();
