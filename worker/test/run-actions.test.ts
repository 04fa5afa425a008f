/**
 * Runs asked for again and cancelled, on real containers: a retry runs only the job that failed (the
 * one that succeeded is reused, its output handed to the script), a rerun runs everything again as a
 * new run of the same event, and a cancel stops a running job and removes its container.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { ProjectConfig, Run } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { DockerExecutor } from "@bosun/executors";
import {
  TEST_IMAGE,
  containersOfRun,
  ensureTestImage,
  startDockerSocket,
  type DockerSocket,
} from "@bosun/test-support";
import { Consumer } from "../src/consumer/consumer.js";
import { processClaim } from "../src/consumer/process-claim.js";
import { ScriptHandler } from "../src/handlers/script.js";
import { runPush, testProject } from "./support/runs.js";

// `first` counts its runs in its cache; `second` fails the first time (its own cache has no mark yet).
const SCRIPT = `
const { events, Job } = require("brigadier");
const IMAGE = ${JSON.stringify(TEST_IMAGE)};
events.on("image_push", async () => {
  const first = new Job("first", IMAGE, [
    "echo hit >> /mnt/brigade/cache/hits",
    'echo "first runs=$(wc -l < /mnt/brigade/cache/hits)"',
  ]);
  first.cache.enabled = true;
  const second = new Job("second", IMAGE, [
    "if [ -e /mnt/brigade/cache/ok ]; then echo second passes; exit 0; fi",
    "touch /mnt/brigade/cache/ok",
    "echo second fails; exit 3",
  ]);
  second.cache.enabled = true;
  const out = await first.run();
  console.log("first said: " + out.toString().trim());
  await second.run();
});
`;

const SLEEPER = `
const { events, Job } = require("brigadier");
events.on("image_push", async () => {
  await new Job("sleeper", ${JSON.stringify(TEST_IMAGE)}, ["echo sleeping", "sleep 300"]).run();
});
`;

async function until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("rerun, retry and cancel on real containers", function () {
  this.timeout(180_000);
  let dir: string;
  let socket: DockerSocket;
  let executor: DockerExecutor;
  let store: Store;
  let handler: ScriptHandler;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    executor = new DockerExecutor({ socketPath: socket.socketPath });
    dir = mkdtempSync(join(tmpdir(), "bosun-run-actions-"));
    writeFileSync(join(dir, "brigade.js"), SCRIPT);
    writeFileSync(join(dir, "sleeper.js"), SLEEPER);
    store = await openSqliteStore({ dataDir: join(dir, "data") });
    handler = new ScriptHandler({ memoryMb: 64, workDir: join(dir, "data") });
  });
  after(async () => {
    await handler?.close();
    await store?.close();
    await executor?.close();
    await socket?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const deps = { handlerFor: () => handler, executorFor: () => executor };
  const logOf = async (run: Run) => (await store.readLogs({ runId: run.id })).map((l) => l.text).join("");

  /** Queues the run again and runs it to its end, as a worker claiming its event does. */
  async function runAgain(project: ProjectConfig, kind: "rerun" | "retry", of: Run): Promise<Run> {
    const asked = await store.requestRun({ kind, runId: of.id, requestedBy: "admin" });
    if (!("run" in asked)) throw new Error(asked.message);
    const claim = await store.claimEvent({ owner: "test", leaseMs: 60_000 });
    if (!claim) throw new Error("the queued run's event could not be claimed");
    const run = await processClaim(
      claim,
      { ...deps, store, findProject: () => project },
      new AbortController().signal,
    );
    expect(run.id).to.equal(asked.run.id);
    expect(await store.finishEvent(claim.event.id, "test")).to.equal(true);
    return run;
  }

  it("retries only the job that failed, then reruns every job as a new run of the same event", async () => {
    const project = testProject({ name: "retry", script: { path: join(dir, "brigade.js") } });
    const { run: failed, log } = await runPush(store, project, deps);
    expect(failed.status, log).to.equal("failed");
    expect(log).to.contain("first runs=1").and.contain("second fails");
    await store.finishEvent(failed.eventId, "test");

    const retry = await runAgain(project, "retry", failed);
    const retryLog = await logOf(retry);
    expect(retry.status, retryLog).to.equal("succeeded");
    expect(retry).to.deep.include({ eventId: failed.eventId, retryOf: failed.id, requestedBy: "admin" });
    // `first` did not run again: its count did not move, and its earlier output came back to the script.
    expect(retryLog).to.contain("second passes").and.contain("first said: first runs=1");
    expect(retryLog).to.not.contain("first runs=2");
    const [first, second] = await store.listJobs(retry.id);
    const [firstBefore] = await store.listJobs(failed.id);
    expect(first).to.deep.include({
      name: "first",
      status: "succeeded",
      exitCode: 0,
      reusedFrom: { runId: failed.id, jobId: firstBefore!.id },
    });
    expect(second).to.deep.include({ name: "second", status: "succeeded" });
    expect(second).to.not.have.property("reusedFrom");

    const rerun = await runAgain(project, "rerun", retry);
    const rerunLog = await logOf(rerun);
    expect(rerun.status, rerunLog).to.equal("succeeded");
    expect(rerun).to.deep.include({ eventId: failed.eventId, rerunOf: retry.id, attempt: 3 });
    expect(rerunLog).to.contain("first runs=2");
    expect((await store.listJobs(rerun.id)).map((j) => j.reusedFrom)).to.deep.equal([undefined, undefined]);
    expect((await store.listRuns({ eventId: failed.eventId })).map((r) => r.id)).to.deep.equal([
      rerun.id,
      retry.id,
      failed.id,
    ]);
  });

  it("cancels a running job: its container is stopped and removed, and the run ends cancelled", async () => {
    const project = testProject({ name: "cancel", script: { path: join(dir, "sleeper.js") } });
    const consumer = new Consumer({ ...deps, store, findProject: () => project, pollMs: 50 });
    consumer.start();
    try {
      const { accepted } = await store.acceptEvents([
        {
          project: project.name,
          source: "distribution",
          type: "image_push",
          image: { registry: "r.example", repository: "team/app", tag: "v1", ref: "r.example/team/app:v1" },
          payload: "{}",
          deliveryId: "cancel-1",
        },
      ]);
      const event = accepted[0]!;
      const run = await until(
        "the run to start",
        async () => (await store.listRuns({ eventId: event.id }))[0],
      );
      await until("the job to print", async () =>
        (await logOf(run)).includes("sleeping") ? true : undefined,
      );
      expect(await containersOfRun(socket.socketPath, run.id)).to.have.length(1);

      const asked = await store.cancelRun(run.id, "admin");
      expect(asked).to.have.nested.property("run.cancelRequestedBy", "admin");
      const ended = await until("the run to end", async () => {
        const now = await store.getRun(run.id);
        return now?.status !== "running" && now;
      });
      expect(ended).to.deep.include({
        status: "cancelled",
        error: { code: "RUN_CANCELLED", message: "cancelled at the request of admin" },
      });
      expect((await store.listJobs(run.id))[0]).to.deep.include({ name: "sleeper", status: "cancelled" });
      expect(await containersOfRun(socket.socketPath, run.id)).to.deep.equal([]);
      await until("the event to be done", async () => (await store.getEvent(event.id))?.state === "done");
    } finally {
      await consumer.stop({ cancel: true });
    }
  });
});
