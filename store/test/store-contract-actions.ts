/**
 * Part of the store contract (called by storeContract): listings filtered and paged, runs asked for
 * again (rerun, retry) and cancelled, and what a retry records of the jobs it reused.
 */
import { expect } from "chai";
import type { NewImagePushEvent, Run } from "@bosun/core";
import type { Store, StoredEvent } from "../src/types.js";

type Accept = (overrides?: Partial<NewImagePushEvent>) => Promise<StoredEvent>;

const image = (registry: string, repository: string, tag: string) => ({
  image: { registry, repository, tag, ref: `${registry}/${repository}:${tag}` },
});
const ids = (list: { id: string }[]) => list.map((x) => x.id);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function actionsContract(store: () => Store, acceptOne: Accept): void {
  /** Claims the event and runs it to `status`, as a worker does. */
  async function finishedRun(event: StoredEvent, status: "succeeded" | "failed" = "failed"): Promise<Run> {
    const s = store();
    const claim = await s.claimEvent({ owner: "w1", leaseMs: 60_000 });
    expect(claim?.event.id).to.equal(event.id);
    const run = await s.createRun({
      eventId: event.id,
      project: event.project,
      attempt: 1,
      handler: "script",
    });
    await s.finishRun(run.id, status);
    expect(await s.finishEvent(event.id, "w1")).to.equal(true);
    return (await s.getRun(run.id))!;
  }

  describe("listing with filters and pages", function () {
    it("filters events by project, registry, repository, tag and time, and pages with before", async function () {
      const a = await acceptOne({ project: "alpha", source: "harbor", ...image("h.io", "team/api", "v1") });
      const b = await acceptOne({
        project: "alpha",
        source: "dockerhub",
        ...image("docker.io", "team/api", "v2"),
      });
      await sleep(5);
      const middle = new Date().toISOString();
      await sleep(5);
      const c = await acceptOne({ project: "beta", source: "harbor", ...image("h.io", "team/web", "v1") });
      const list = async (q: Parameters<Store["listEvents"]>[0]) => ids(await store().listEvents(q));
      expect(await list({ project: "alpha" })).to.deep.equal([b.id, a.id]);
      expect(await list({ registry: "harbor" })).to.deep.equal([c.id, a.id]);
      expect(await list({ repository: "team/api" })).to.deep.equal([b.id, a.id]);
      expect(await list({ tag: "v1" })).to.deep.equal([c.id, a.id]);
      expect(await list({ registry: "harbor", tag: "v1", project: "beta" })).to.deep.equal([c.id]);
      expect(await list({ since: middle })).to.deep.equal([c.id]);
      expect(await list({ until: middle })).to.deep.equal([b.id, a.id]);
      expect(await list({ limit: 2 })).to.deep.equal([c.id, b.id]);
      expect(await list({ limit: 2, before: b.id })).to.deep.equal([a.id]);
      expect(await list({ before: a.id })).to.deep.equal([]);
    });

    it("filters runs by status, by their event's registry, repository and tag, and by time, and pages", async function () {
      const a = await acceptOne({ project: "alpha", source: "harbor", ...image("h.io", "team/api", "v1") });
      const b = await acceptOne({ project: "beta", source: "quay", ...image("quay.io", "team/web", "v2") });
      const s = store();
      const r1 = await s.createRun({ eventId: a.id, project: "alpha", attempt: 1, handler: "script" });
      await s.finishRun(r1.id, "failed");
      const r2 = await s.createRun({ eventId: b.id, project: "beta", attempt: 1, handler: "script" });
      await sleep(5);
      const middle = new Date().toISOString();
      await sleep(5);
      const r3 = await s.createRun({ eventId: a.id, project: "alpha", attempt: 2, handler: "script" });
      await s.finishRun(r3.id, "succeeded");
      const list = async (q: Parameters<Store["listRuns"]>[0]) => ids(await s.listRuns(q));
      expect(await list({ status: "failed" })).to.deep.equal([r1.id]);
      expect(await list({ status: "running" })).to.deep.equal([r2.id]);
      expect(await list({ registry: "harbor" })).to.deep.equal([r3.id, r1.id]);
      expect(await list({ repository: "team/web" })).to.deep.equal([r2.id]);
      expect(await list({ tag: "v1", status: "succeeded" })).to.deep.equal([r3.id]);
      expect(await list({ tag: "v9" })).to.deep.equal([]);
      expect(await list({ since: middle })).to.deep.equal([r3.id]);
      expect(await list({ until: middle, project: "alpha" })).to.deep.equal([r1.id]);
      expect(await list({ limit: 1, before: r3.id })).to.deep.equal([r2.id]);
      expect(await list({ before: r2.id })).to.deep.equal([r1.id]);
    });
  });

  describe("rerun and retry", function () {
    it("queues a new run of the same event, which a claim finds and startRun takes over", async function () {
      const event = await acceptOne();
      const earlier = await finishedRun(event, "succeeded");
      const s = store();
      const asked = await s.requestRun({ kind: "rerun", runId: earlier.id, requestedBy: "admin" });
      if (!("run" in asked)) throw new Error(asked.message);
      expect(asked.run).to.deep.include({
        eventId: event.id,
        project: event.project,
        status: "queued",
        rerunOf: earlier.id,
        requestedBy: "admin",
        handler: "script",
      });
      expect(asked.run).to.not.have.property("retryOf");
      expect(await s.getEvent(event.id)).to.deep.include({ state: "queued" });
      expect(ids(await s.listRuns({ status: "queued" }))).to.deep.equal([asked.run.id]);

      const claim = await s.claimEvent({ owner: "w2", leaseMs: 60_000 });
      expect(claim?.event.id).to.equal(event.id);
      expect(claim?.attempt).to.equal(2);
      const started = await s.startRun(asked.run.id, claim!.attempt, "dispatchfile");
      expect(started).to.deep.include({
        id: asked.run.id,
        status: "running",
        attempt: 2,
        handler: "dispatchfile",
      });
      expect(await s.startRun(asked.run.id, 3, "script")).to.equal(undefined);
    });

    it("records a retry with retryOf, and refuses a retry of a run that succeeded", async function () {
      const succeeded = await finishedRun(await acceptOne(), "succeeded");
      const failed = await finishedRun(await acceptOne(), "failed");
      const retry = await store().requestRun({ kind: "retry", runId: failed.id, requestedBy: "admin" });
      expect(retry).to.have.nested.property("run.retryOf", failed.id);
      const refused = await store().requestRun({ kind: "retry", runId: succeeded.id, requestedBy: "admin" });
      expect(refused).to.deep.include({ refused: "RUN_NOT_RETRYABLE" });
    });

    it("refuses while the event has a run queued or running, and for an unknown run", async function () {
      const event = await acceptOne();
      const earlier = await finishedRun(event);
      const s = store();
      const first = await s.requestRun({ kind: "rerun", runId: earlier.id, requestedBy: "admin" });
      expect(first).to.have.property("run");
      const again = await s.requestRun({ kind: "retry", runId: earlier.id, requestedBy: "admin" });
      expect(again).to.deep.include({ refused: "RUN_IN_PROGRESS" });
      const queued = (first as { run: Run }).run;
      expect(await s.requestRun({ kind: "rerun", runId: queued.id, requestedBy: "admin" })).to.deep.include({
        refused: "RUN_IN_PROGRESS",
      });
      expect(
        await s.requestRun({ kind: "rerun", runId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", requestedBy: "admin" }),
      ).to.deep.include({ refused: "NOT_FOUND" });
    });

    it("keeps queued runs through retention's deletes", async function () {
      const earlier = await finishedRun(await acceptOne());
      const asked = (await store().requestRun({
        kind: "rerun",
        runId: earlier.id,
        requestedBy: "admin",
      })) as {
        run: Run;
      };
      expect(await store().deleteRuns([asked.run.id, earlier.id])).to.equal(1);
      expect(await store().getRun(asked.run.id)).to.deep.include({ status: "queued" });
    });
  });

  describe("cancel", function () {
    it("ends a queued run at once, and its event leaves the queue", async function () {
      const event = await acceptOne();
      const earlier = await finishedRun(event);
      const s = store();
      const asked = (await s.requestRun({ kind: "rerun", runId: earlier.id, requestedBy: "admin" })) as {
        run: Run;
      };
      const cancelled = await s.cancelRun(asked.run.id, "admin");
      expect(cancelled).to.have.nested.property("run.status", "cancelled");
      expect(cancelled).to.have.nested.property("run.error.code", "RUN_CANCELLED");
      expect(cancelled).to.have.nested.property("run.cancelRequestedBy", "admin");
      expect(await s.getEvent(event.id)).to.deep.include({ state: "done" });
      expect(await s.claimEvent({ owner: "w2", leaseMs: 60_000 })).to.equal(undefined);
      expect(await s.startRun(asked.run.id, 2, "script")).to.equal(undefined);
    });

    it("marks a running run and tells the listeners; refuses a finished or unknown run", async function () {
      const event = await acceptOne();
      const s = store();
      await s.claimEvent({ owner: "w1", leaseMs: 60_000 });
      const run = await s.createRun({
        eventId: event.id,
        project: event.project,
        attempt: 1,
        handler: "script",
      });
      const told: string[] = [];
      const unsubscribe = s.onRunCancelRequested((id) => told.push(id));
      try {
        const marked = await s.cancelRun(run.id, "admin");
        expect(marked).to.have.nested.property("run.status", "running");
        expect(await s.getRun(run.id)).to.deep.include({ status: "running", cancelRequestedBy: "admin" });
        for (let i = 0; i < 100 && told.length === 0; i++) await sleep(10);
        expect(told).to.include(run.id);
      } finally {
        unsubscribe();
      }
      await s.finishRun(run.id, "cancelled");
      expect(await s.cancelRun(run.id, "admin")).to.deep.include({ refused: "RUN_FINISHED" });
      expect(await s.cancelRun("01ARZ3NDEKTSV4RRFFQ69G5FAV", "admin")).to.deep.include({
        refused: "NOT_FOUND",
      });
    });
  });

  describe("cancelling an event", function () {
    it("records a queued event that never ran as a cancelled run, and takes it out of the queue", async function () {
      const event = await acceptOne();
      const s = store();
      const cancelled = await s.cancelEvent(event.id, "admin");
      if (!("run" in cancelled)) throw new Error(cancelled.message);
      expect(cancelled.run).to.deep.include({
        eventId: event.id,
        project: event.project,
        status: "cancelled",
        attempt: 1,
        cancelRequestedBy: "admin",
      });
      expect(cancelled.run.error?.code).to.equal("RUN_CANCELLED");
      expect(await s.getEvent(event.id)).to.deep.include({ state: "done" });
      expect(await s.claimEvent({ owner: "w1", leaseMs: 60_000 })).to.equal(undefined);
      expect(await s.cancelEvent(event.id, "admin")).to.deep.include({ refused: "RUN_FINISHED" });
    });

    it("cancels the event's queued or running run, and refuses an unknown event", async function () {
      const event = await acceptOne();
      const earlier = await finishedRun(event);
      const s = store();
      const asked = (await s.requestRun({ kind: "rerun", runId: earlier.id, requestedBy: "admin" })) as {
        run: Run;
      };
      expect(await s.cancelEvent(event.id, "admin")).to.deep.include({
        run: (await s.getRun(asked.run.id))!,
      });
      expect(await s.getRun(asked.run.id)).to.deep.include({ status: "cancelled" });

      const other = await acceptOne();
      await s.claimEvent({ owner: "w1", leaseMs: 60_000 });
      const running = await s.createRun({
        eventId: other.id,
        project: other.project,
        attempt: 1,
        handler: "script",
      });
      expect(await s.cancelEvent(other.id, "admin")).to.have.nested.property("run.id", running.id);
      expect(await s.getRun(running.id)).to.deep.include({ status: "running", cancelRequestedBy: "admin" });
      expect(await s.cancelEvent("01ARZ3NDEKTSV4RRFFQ69G5FAV", "admin")).to.deep.include({
        refused: "NOT_FOUND",
      });
    });
  });

  describe("jobs a retry reused", function () {
    it("keeps a job's spec hash, and a reused job's origin and outcome", async function () {
      const event = await acceptOne();
      const run = await store().createRun({
        eventId: event.id,
        project: "webapp",
        attempt: 1,
        handler: "script",
      });
      const at = new Date().toISOString();
      const job = await store().createJob({
        runId: run.id,
        name: "build",
        image: "alpine",
        status: "succeeded",
        tasks: ["make"],
        envNames: [],
        specHash: "abc123",
        reusedFrom: { runId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", jobId: "01ARZ3NDEKTSV4RRFFQ69G5FAW" },
        exitCode: 0,
        startedAt: at,
        finishedAt: at,
      });
      const [stored] = await store().listJobs(run.id);
      expect(stored).to.deep.equal(job);
      expect(stored).to.deep.include({
        specHash: "abc123",
        reusedFrom: { runId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", jobId: "01ARZ3NDEKTSV4RRFFQ69G5FAW" },
        exitCode: 0,
        startedAt: at,
        finishedAt: at,
      });
    });
  });
}
