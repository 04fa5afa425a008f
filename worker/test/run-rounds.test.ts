/**
 * Reruns, retries and cancels through the worker's claim path over the real SQLite store, with
 * workers that die midway (a lease left to expire): what the next claim makes of the runs left behind,
 * and a cancel seen at lease renewal when no notice arrives.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Executor, Run } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { Consumer } from "../src/consumer/consumer.js";
import { processClaim } from "../src/consumer/process-claim.js";
import type { EventHandler, RunContext, RunOutcome } from "../src/handlers/types.js";
import { testProject } from "./support/runs.js";

const project = testProject({ name: "app" });
const noExecutor: Executor = { kind: "docker", run: () => Promise.reject(new Error("no job expected")) };

/** Succeeds at once, or (waitForAbort) only returns once its run is aborted. */
class RecordingHandler implements EventHandler {
  readonly kind = "script" as const;
  readonly runs: string[] = [];
  constructor(private readonly waitForAbort = false) {}
  async handle(ctx: RunContext): Promise<RunOutcome> {
    this.runs.push(ctx.run.id);
    if (!this.waitForAbort) return { status: "succeeded" };
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    return { status: "failed", error: { code: "JOB_CANCELLED", message: "stopped" } };
  }
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("reruns, retries and cancels on the worker's claim path", function () {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-rounds-"));
    store = await openSqliteStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A pushed event whose first run failed, its event done. */
  async function failedRun(): Promise<Run> {
    await store.acceptEvents([
      {
        project: "app",
        source: "dockerhub",
        type: "image_push",
        image: { registry: "docker.io", repository: "team/app", tag: "v1", ref: "docker.io/team/app:v1" },
        payload: "{}",
        deliveryId: `d-${Math.random()}`,
      },
    ]);
    const claim = (await store.claimEvent({ owner: "w0", leaseMs: 60_000 }))!;
    const failing: EventHandler = { kind: "script", handle: async () => ({ status: "failed" }) };
    const deps = {
      store,
      findProject: () => project,
      handlerFor: () => failing,
      executorFor: () => noExecutor,
    };
    const run = await processClaim(claim, deps, new AbortController().signal);
    await store.finishEvent(claim.event.id, "w0");
    return run;
  }

  const depsWith = (handler: EventHandler) => ({
    store,
    findProject: () => project,
    handlerFor: () => handler,
    executorFor: () => noExecutor,
  });

  it("carries a retry over when the worker that took it died: the run left behind is abandoned", async () => {
    const failed = await failedRun();
    const asked = await store.requestRun({ kind: "retry", runId: failed.id, requestedBy: "admin" });
    if (!("run" in asked)) throw new Error(asked.message);
    // A worker takes the queued run over, then dies: its lease (1 ms) runs out.
    const dying = (await store.claimEvent({ owner: "w1", leaseMs: 1 }))!;
    expect(await store.startRun(asked.run.id, dying.attempt, "script")).to.have.property("status", "running");
    await new Promise((r) => setTimeout(r, 5));

    const claim = (await store.claimEvent({ owner: "w2", leaseMs: 60_000 }))!;
    expect(claim.attempt).to.equal(3);
    const handler = new RecordingHandler();
    const run = await processClaim(claim, depsWith(handler), new AbortController().signal);
    expect(run).to.deep.include({
      status: "succeeded",
      retryOf: failed.id,
      requestedBy: "admin",
      attempt: 3,
    });
    expect(run.id).to.not.equal(asked.run.id);
    expect(handler.runs).to.deep.equal([run.id]);
    expect(await store.getRun(asked.run.id)).to.deep.include({ status: "abandoned", retryOf: failed.id });
    // The retried run's outcome was not taken for the event's: it belongs to the round before.
    expect(await store.getRun(failed.id)).to.deep.include({ status: "failed" });
  });

  it("ends cancelled, without running it again, a run marked for cancel whose worker died", async () => {
    const failed = await failedRun();
    const asked = (await store.requestRun({ kind: "rerun", runId: failed.id, requestedBy: "admin" })) as {
      run: Run;
    };
    const dying = (await store.claimEvent({ owner: "w1", leaseMs: 1 }))!;
    await store.startRun(asked.run.id, dying.attempt, "script");
    expect(await store.cancelRun(asked.run.id, "alice")).to.have.nested.property("run.status", "running");
    await new Promise((r) => setTimeout(r, 5));

    const claim = (await store.claimEvent({ owner: "w2", leaseMs: 60_000 }))!;
    const handler = new RecordingHandler();
    const run = await processClaim(claim, depsWith(handler), new AbortController().signal);
    expect(run).to.deep.include({ id: asked.run.id, status: "cancelled" });
    expect(handler.runs).to.deep.equal([]);
    expect(await store.getRun(asked.run.id)).to.deep.include({
      status: "cancelled",
      error: { code: "RUN_CANCELLED", message: "cancelled at the request of alice" },
    });
  });

  it("sees a cancel when it renews the lease, with no notice: the run ends cancelled, the event done", async () => {
    // The store without its notices: only the renewal's read of the run can tell the consumer.
    const deaf = new Proxy(store, {
      get(target, key) {
        if (key === "onRunCancelRequested") return () => () => undefined;
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const failed = await failedRun();
    const handler = new RecordingHandler(true);
    const consumer = new Consumer({ ...depsWith(handler), store: deaf, leaseMs: 90, pollMs: 20 });
    consumer.start();
    try {
      await store.requestRun({ kind: "rerun", runId: failed.id, requestedBy: "admin" });
      await until("the rerun to start", async () => handler.runs.length === 1);
      const runId = handler.runs[0]!;
      await store.cancelRun(runId, "admin");
      await until("the run to end", async () => (await store.getRun(runId))?.status !== "running");
      expect(await store.getRun(runId)).to.deep.include({ status: "cancelled", cancelRequestedBy: "admin" });
      await until(
        "the event to be done",
        async () => (await store.getEvent(failed.eventId))?.state === "done",
      );
    } finally {
      await consumer.stop({ cancel: true });
    }
  });
});
