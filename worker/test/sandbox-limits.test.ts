import { expect } from "chai";
import { readdirSync } from "node:fs";
import { runScript, type ScriptOutcome } from "../src/index.js";
import { bundled, execEvent, fixture, recorder, runFixture, TEST_LIMITS } from "./sandbox-harness.test.js";

/**
 * Every hostile fixture, and the outcomes it may end in. Allocation bombs are contained by whichever
 * limit a loaded machine reaches first, memory or CPU time; their own tests give them the CPU time to
 * reach the memory limit.
 */
const HOSTILE: Record<string, ScriptOutcome["status"][]> = {
  // No SharedArrayBuffer, so nothing to wait on: fails at once.
  "atomics-wait.js": ["failed"],
  "buffer-bomb.js": ["failed", "out_of_memory", "timed_out"],
  "deep-recursion.js": ["failed"],
  "escape-attempts.js": ["failed"],
  "huge-error.js": ["failed"],
  "infinite-loop.js": ["timed_out"],
  "interval-forever.js": ["timed_out"],
  // Fails at the job cap (its own test below); on a loaded machine the wall clock may come first.
  "job-flood.js": ["failed", "timed_out"],
  // 20,000 console calls may outlast a short wall clock.
  "log-flood.js": ["failed", "timed_out"],
  "loop-after-await.js": ["timed_out"],
  "memory-bomb.js": ["out_of_memory", "timed_out"],
  "microtask-loop.js": ["timed_out", "out_of_memory"],
  "never-settles.js": ["timed_out"],
  "object-bomb.js": ["out_of_memory", "timed_out"],
  "resizable-buffer.js": ["failed"],
  "string-bomb.js": ["failed", "out_of_memory", "timed_out"],
  "tamper-globals.js": ["failed"],
  // Fails at the timer cap; on a loaded machine 10,000 timer calls may outlast a short wall clock first.
  "timer-flood.js": ["failed", "timed_out"],
  "timer-throws.js": ["failed"],
  "top-level-loop.js": ["timed_out"],
  "top-level-reject.js": ["failed"],
  "wasm-memory.js": ["failed"],
};

describe("sandbox: limits and isolation", function () {
  this.timeout(120_000);

  it("an infinite loop: timed_out on CPU time", async () => {
    const { outcome } = await runFixture(fixture("hostile", "infinite-loop.js"), { limits: { cpuMs: 300 } });
    expect(outcome).to.deep.include({ status: "timed_out", limit: "cpu" });
  });

  it("an infinite loop at the top level: timed_out too", async () => {
    const { outcome } = await runFixture(fixture("hostile", "top-level-loop.js"), { limits: { cpuMs: 300 } });
    expect(outcome).to.deep.include({ status: "timed_out", limit: "cpu" });
  });

  it("a timer flood: failed at the cap on pending timers, saying so", async () => {
    const { outcome } = await runFixture(fixture("hostile", "timer-flood.js"), {
      limits: { maxTimers: 50, cpuMs: 20_000, timeoutMs: 30_000 },
    });
    expect(outcome.status).to.equal("failed");
    if (outcome.status === "failed") expect(outcome.error.message).to.contain("at most 50 timers");
  });

  it("a memory bomb: out_of_memory", async () => {
    const { outcome } = await runFixture(fixture("hostile", "memory-bomb.js"), {
      limits: { memoryMb: 16, cpuMs: 20_000, timeoutMs: 30_000 },
    });
    expect(outcome.status).to.equal("out_of_memory");
  });

  it("Atomics.wait cannot hold the run until its wall clock: failed at once", async () => {
    const started = Date.now();
    const { outcome } = await runFixture(fixture("hostile", "atomics-wait.js"), {
      limits: { timeoutMs: 60_000 },
    });
    expect(outcome.status).to.equal("failed");
    if (outcome.status === "failed") {
      expect(outcome.error.code).to.equal("SCRIPT_UNSUPPORTED");
      expect(outcome.error.message).to.include("SharedArrayBuffer is not defined");
    }
    expect(Date.now() - started).to.be.lessThan(5_000);
  });

  it("a promise that never settles: timed_out at once, since nothing can settle it", async () => {
    const started = Date.now();
    const { outcome } = await runFixture(fixture("hostile", "never-settles.js"), {
      limits: { timeoutMs: 60_000 },
    });
    expect(outcome).to.deep.include({ status: "timed_out", limit: "stalled" });
    expect(Date.now() - started).to.be.lessThan(5_000);
  });

  it("a promise that never settles while a timer ticks: timed_out on the wall clock", async () => {
    const { outcome } = await runFixture(fixture("hostile", "interval-forever.js"), {
      limits: { timeoutMs: 300 },
    });
    expect(outcome).to.deep.include({ status: "timed_out", limit: "wall" });
  });

  it("abort: cancelled, and the running job is told", async () => {
    const controller = new AbortController();
    let jobSignal: AbortSignal | undefined;
    const rec = recorder();
    const outcome = await runScript({
      bundle: await bundled(fixture("async-handlers", "brigade.js")),
      event: execEvent(),
      project: { name: "demo" },
      limits: TEST_LIMITS,
      log: rec.log,
      signal: controller.signal,
      runJob: (_spec, signal) => {
        jobSignal = signal;
        setTimeout(() => controller.abort(), 10);
        const at = new Date().toISOString();
        return new Promise((resolve) =>
          signal.addEventListener("abort", () =>
            resolve({ outcome: "cancelled", output: "", startedAt: at, finishedAt: at }),
          ),
        );
      },
    });
    expect(outcome).to.deep.equal({ status: "cancelled" });
    expect(jobSignal?.aborted).to.equal(true);
  });

  it("abort before the start: cancelled without running anything", async () => {
    const controller = new AbortController();
    controller.abort();
    const { outcome, specs } = await runFixture(fixture("brigade-style", "brigade.js"), {
      signal: controller.signal,
    });
    expect(outcome).to.deep.equal({ status: "cancelled" });
    expect(specs).to.have.length(0);
  });

  it("caps the script's output", async () => {
    const run = await runFixture(fixture("hostile", "log-flood.js"), { limits: { maxLogBytes: 10_000 } });
    expect(run.output().length).to.be.lessThan(12_000);
    expect(run.lines.at(-1)).to.include("the rest of it is dropped");
  });

  it("caps the number of jobs", async () => {
    const run = await runFixture(fixture("hostile", "job-flood.js"), { limits: { maxJobs: 10 } });
    expect(run.specs).to.have.length(10);
    expect(run.outcome).to.deep.include({ status: "failed" });
    if (run.outcome.status === "failed") expect(run.outcome.error.code).to.equal("HOST_CALL_INVALID");
  });

  it("covers every hostile fixture", () => {
    expect(readdirSync(fixture("hostile")).sort()).to.deep.equal(Object.keys(HOSTILE).sort());
  });

  it("after 100 hostile scripts in a row, the same process still runs a good script", async () => {
    const names = Object.keys(HOSTILE);
    for (let i = 0; i < 100; i++) {
      const name = names[i % names.length]!;
      const { outcome } = await runFixture(fixture("hostile", name), {
        limits: { memoryMb: 24, cpuMs: 300, timeoutMs: 1_000 },
      });
      expect(HOSTILE[name], `${name} ended ${JSON.stringify(outcome).slice(0, 200)}`).to.include(
        outcome.status,
      );
    }
    const good = await runFixture(fixture("async-handlers", "brigade.js"));
    expect(good.outcome.status).to.equal("succeeded");
    expect(good.specs.map((s) => s.name)).to.deep.equal(["a", "b", "c"]);
  });
});
