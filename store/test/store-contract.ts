import { expect } from "chai";
import { StoreUnavailableError, type NewEvent, type NewImagePushEvent, type NewLogEntry } from "@bosun/core";
import type { Store, StoredEvent } from "../src/types.js";
import { actionsContract } from "./store-contract-actions.js";
import { admissionContract } from "./admission-contract.js";
import { deliveryContract, newDelivery } from "./store-contract-deliveries.js";

/** What a Store implementation hands the contract suite for each test. */
export interface ContractSubject {
  /** A store over empty data. */
  store: Store;
  /**
   * Opens another store over the same data. The suite closes `store` before calling it and closes what
   * it returns; leave it out when the backend cannot be reopened.
   */
  reopen?: () => Promise<Store>;
  /** Removes the data; the suite may already have closed `store` (close must be idempotent). */
  cleanup: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

let counter = 0;
/** A distinct, valid push; `overrides` pins what a test cares about. */
export function newEvent(overrides: Partial<NewImagePushEvent> = {}): NewImagePushEvent {
  counter++;
  const tag = `v1.0.${counter}`;
  return {
    project: "webapp",
    source: "dockerhub",
    type: "image_push",
    image: {
      registry: "docker.io",
      repository: "myorg/webapp",
      tag,
      pusher: "alice",
      ref: `docker.io/myorg/webapp:${tag}`,
    },
    payload: JSON.stringify({ push_data: { tag } }),
    deliveryId: `delivery-${counter}-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}

/** The behaviour every Store must show, whatever holds the data. */
export function storeContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`Store contract: ${name}`, function () {
    let subject: ContractSubject;
    let store: Store;

    beforeEach(async function () {
      subject = await open();
      store = subject.store;
    });

    afterEach(async function () {
      await subject.cleanup();
    });

    async function acceptOne(overrides: Partial<NewImagePushEvent> = {}): Promise<StoredEvent> {
      const { accepted } = await store.acceptEvents([newEvent(overrides)]);
      expect(accepted).to.have.length(1);
      return accepted[0]!;
    }

    describe("accepting events", function () {
      it("assigns id and receivedAt, queues the event, and keeps every field", async function () {
        const input = newEvent({
          image: {
            registry: "docker.io",
            repository: "myorg/webapp",
            tag: "v2",
            ref: "docker.io/myorg/webapp:v2",
          },
        });
        const before = Date.now();
        const { accepted, duplicates } = await store.acceptEvents([input]);
        expect(duplicates).to.deep.equal([]);
        expect(accepted).to.have.length(1);
        const event = accepted[0]!;
        expect(event.id).to.be.a("string").and.not.equal("");
        expect(Date.parse(event.receivedAt)).to.be.within(before - 1000, Date.now() + 1000);
        expect(event.receivedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
        expect(event).to.deep.include({ ...input, state: "queued", attempts: 0 });
        // Optional fields that were not given are absent, not null.
        expect(event.image).to.deep.equal(input.image);
        expect(event.image).to.not.have.property("digest");
        expect(await store.getEvent(event.id)).to.deep.equal(event);
      });

      it("keeps an event created through the API: any source and type, no image, its details", async function () {
        const input = {
          project: "webapp",
          source: "brigade.sh/cli",
          type: "deploy",
          payload: "not JSON, as given",
          deliveryId: `api-${Math.random().toString(36).slice(2)}`,
          details: { qualifiers: { env: "prod" }, labels: { by: "alice" }, shortTitle: "deploy prod" },
        };
        const bare = { ...input, type: "exec", deliveryId: `${input.deliveryId}-bare`, details: undefined };
        const { accepted } = await store.acceptEvents([input, { ...bare, details: {} }]);
        const [event, plain] = accepted;
        expect(event).to.deep.include({ ...input, state: "queued", attempts: 0 });
        expect(event).to.not.have.property("image");
        expect(await store.getEvent(event!.id)).to.deep.equal(event);
        // Empty details are not stored: the event reads back without them, as it was returned.
        expect(plain).to.not.have.property("details");
        expect(await store.getEvent(plain!.id)).to.deep.equal(plain);
        const claim = await store.claimEvent({ owner: "w", leaseMs: 60_000 });
        expect(claim?.event).to.deep.include({ id: event!.id, source: "brigade.sh/cli", type: "deploy" });
        expect(claim?.event).to.deep.include({ details: input.details });
        expect((await store.listEvents({ project: "webapp" })).map((e) => e.type)).to.deep.equal([
          "exec",
          "deploy",
        ]);
      });

      it("keeps the payload byte for byte", async function () {
        const payload = '{ "a" : "é\\u00e9 \u2603",\n\t"n": 1.50 }\r\n';
        const event = await acceptOne({ payload });
        expect((await store.getEvent(event.id))?.payload).to.equal(payload);
      });

      it("returns undefined for an unknown id", async function () {
        expect(await store.getEvent("01ARZ3NDEKTSV4RRFFQ69G5FAV")).to.equal(undefined);
      });

      it("returns a batch's events in input order with distinct ids", async function () {
        const inputs = [newEvent(), newEvent(), newEvent()];
        const { accepted } = await store.acceptEvents(inputs);
        expect(accepted.map((e) => e.deliveryId)).to.deep.equal(inputs.map((e) => e.deliveryId));
        expect(new Set(accepted.map((e) => e.id)).size).to.equal(3);
      });

      it("accepts an empty batch", async function () {
        expect(await store.acceptEvents([])).to.deep.equal({
          accepted: [],
          duplicates: [],
          merged: [],
          declined: [],
        });
      });

      it("lists newest first, filters by project and honours limit", async function () {
        const a = await acceptOne({ project: "alpha" });
        const b = await acceptOne({ project: "beta" });
        const c = await acceptOne({ project: "alpha" });
        expect((await store.listEvents()).map((e) => e.id)).to.deep.equal([c.id, b.id, a.id]);
        expect((await store.listEvents({ project: "alpha" })).map((e) => e.id)).to.deep.equal([c.id, a.id]);
        expect((await store.listEvents({ limit: 2 })).map((e) => e.id)).to.deep.equal([c.id, b.id]);
        expect(await store.listEvents({ project: "nobody" })).to.deep.equal([]);
      });

      it("lists at most 100 by default", async function () {
        await store.acceptEvents(Array.from({ length: 105 }, () => newEvent()));
        expect(await store.listEvents()).to.have.length(100);
        expect(await store.listEvents({ limit: 200 })).to.have.length(105);
      });

      it("commits a batch all or none", async function () {
        const good = newEvent();
        const bad = { ...newEvent(), project: null } as unknown as NewEvent;
        const alongside = newEvent();
        // Submitted together, so a store that batches commits must still isolate the failing call.
        const [failed, other] = await Promise.allSettled([
          store.acceptEvents([good, bad]),
          store.acceptEvents([alongside]),
        ]);
        expect(failed.status).to.equal("rejected");
        expect(other.status).to.equal("fulfilled");
        const stored = (await store.listEvents()).map((e) => e.deliveryId);
        expect(stored).to.not.include(good.deliveryId);
        expect(stored).to.include(alongside.deliveryId);
        // The same event is accepted later: nothing of the failed batch was kept.
        expect((await store.acceptEvents([good])).accepted).to.have.length(1);
      });

      it("accepts 200 concurrent calls, each committed with its own id", async function () {
        const inputs = Array.from({ length: 200 }, () => newEvent());
        const results = await Promise.all(inputs.map((e) => store.acceptEvents([e])));
        results.forEach((r, i) => {
          expect(r.duplicates).to.deep.equal([]);
          expect(r.accepted).to.have.length(1);
          expect(r.accepted[0]!.deliveryId).to.equal(inputs[i]!.deliveryId);
        });
        const ids = results.map((r) => r.accepted[0]!.id);
        expect(new Set(ids).size).to.equal(200);
        const listed = await store.listEvents({ limit: 1000 });
        expect(listed.map((e) => e.id).sort()).to.deep.equal([...ids].sort());
      });
    });

    describe("accept-time rules", function () {
      admissionContract(() => store);
    });

    describe("deduplication by (project, deliveryId)", function () {
      it("returns the earlier copy on a redelivery", async function () {
        const first = await acceptOne({ deliveryId: "d-1", payload: "first" });
        const again = await store.acceptEvents([newEvent({ deliveryId: "d-1", payload: "second" })]);
        expect(again.accepted).to.deep.equal([]);
        expect(again.duplicates).to.deep.equal([first]);
        expect(await store.listEvents()).to.have.length(1);
      });

      it("treats the same deliveryId in another project as a new event", async function () {
        await acceptOne({ project: "alpha", deliveryId: "d-1" });
        const other = await store.acceptEvents([newEvent({ project: "beta", deliveryId: "d-1" })]);
        expect(other.accepted).to.have.length(1);
        expect(other.duplicates).to.deep.equal([]);
      });

      it("reports a repeat inside one batch as a duplicate of its first occurrence", async function () {
        const batch = [newEvent({ deliveryId: "d-1" }), newEvent(), newEvent({ deliveryId: "d-1" })];
        const { accepted, duplicates } = await store.acceptEvents(batch);
        expect(accepted.map((e) => e.deliveryId)).to.deep.equal(["d-1", batch[1]!.deliveryId]);
        expect(duplicates).to.have.length(1);
        expect(duplicates[0]!.id).to.equal(accepted[0]!.id);
      });

      it("accepts once among concurrent deliveries of the same push", async function () {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.acceptEvents([newEvent({ deliveryId: "same", payload: `copy ${i}` })]),
          ),
        );
        const accepted = results.flatMap((r) => r.accepted);
        const duplicates = results.flatMap((r) => r.duplicates);
        expect(accepted).to.have.length(1);
        expect(duplicates).to.have.length(19);
        for (const d of duplicates) expect(d.id).to.equal(accepted[0]!.id);
        expect(await store.listEvents()).to.have.length(1);
      });
    });

    describe("the queue", function () {
      it("claims the oldest queued event first and leases it", async function () {
        const a = await acceptOne();
        const b = await acceptOne();
        const first = await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        expect(first?.event.id).to.equal(a.id);
        expect(first?.attempt).to.equal(1);
        expect(first?.event).to.deep.include({ state: "running", attempts: 1 });
        expect(await store.getEvent(a.id)).to.deep.include({ state: "running", attempts: 1 });
        expect((await store.claimEvent({ owner: "w1", leaseMs: 60_000 }))?.event.id).to.equal(b.id);
        expect(await store.claimEvent({ owner: "w1", leaseMs: 60_000 })).to.equal(undefined);
      });

      it("counts queued and running events, not done ones", async function () {
        expect(await store.queueDepth()).to.deep.equal({ queued: 0, running: 0 });
        const a = await acceptOne();
        await acceptOne();
        await acceptOne();
        expect(await store.queueDepth()).to.deep.equal({ queued: 3, running: 0 });
        const claim = await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        expect(claim?.event.id).to.equal(a.id);
        expect(await store.queueDepth()).to.deep.equal({ queued: 2, running: 1 });
        await store.finishEvent(a.id, "w1");
        expect(await store.queueDepth()).to.deep.equal({ queued: 2, running: 0 });
      });

      it("returns undefined when nothing is queued", async function () {
        expect(await store.claimEvent({ owner: "w1", leaseMs: 1000 })).to.equal(undefined);
      });

      it("leaves the events of skipped projects queued", async function () {
        const a = await acceptOne({ project: "busy" });
        const b = await acceptOne({ project: "idle" });
        const claim = await store.claimEvent({ owner: "w1", leaseMs: 60_000, skipProjects: ["busy"] });
        expect(claim?.event.id).to.equal(b.id);
        expect(await store.claimEvent({ owner: "w1", leaseMs: 60_000, skipProjects: ["busy"] })).to.equal(
          undefined,
        );
        expect((await store.getEvent(a.id))?.state).to.equal("queued");
        const later = await store.claimEvent({ owner: "w1", leaseMs: 60_000, skipProjects: [] });
        expect(later?.event.id).to.equal(a.id);
      });

      it("never hands one event to two owners", async function () {
        const events = await store.acceptEvents(Array.from({ length: 5 }, () => newEvent()));
        const claims = await Promise.all(
          Array.from({ length: 12 }, (_, i) => store.claimEvent({ owner: `w${i % 2}`, leaseMs: 60_000 })),
        );
        const got = claims.filter((c) => c !== undefined);
        expect(got).to.have.length(5);
        expect(got.map((c) => c.event.id).sort()).to.deep.equal(events.accepted.map((e) => e.id).sort());
      });

      it("does not take an event whose lease is still held", async function () {
        await acceptOne();
        expect(await store.claimEvent({ owner: "w1", leaseMs: 60_000 })).to.not.equal(undefined);
        expect(await store.claimEvent({ owner: "w2", leaseMs: 60_000 })).to.equal(undefined);
      });

      it("reclaims an event whose lease expired, as attempt 2", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "crashed", leaseMs: 50 });
        await sleep(120);
        const again = await store.claimEvent({ owner: "w2", leaseMs: 60_000 });
        expect(again?.event.id).to.equal(event.id);
        expect(again?.attempt).to.equal(2);
        expect(again?.event.attempts).to.equal(2);
        // The first owner lost it: it can neither extend nor finish it.
        expect(await store.renewLease(event.id, "crashed", 60_000)).to.equal(false);
        expect(await store.finishEvent(event.id, "crashed")).to.equal(false);
        expect(await store.renewLease(event.id, "w2", 60_000)).to.equal(true);
        expect(await store.finishEvent(event.id, "w2")).to.equal(true);
      });

      it("keeps a renewed lease past its first expiry", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 50 });
        expect(await store.renewLease(event.id, "w1", 60_000)).to.equal(true);
        await sleep(120);
        expect(await store.claimEvent({ owner: "w2", leaseMs: 60_000 })).to.equal(undefined);
      });

      it("refuses renew and finish from an owner that never held the lease", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        expect(await store.renewLease(event.id, "w2", 60_000)).to.equal(false);
        expect(await store.finishEvent(event.id, "w2")).to.equal(false);
        expect(await store.renewLease("01ARZ3NDEKTSV4RRFFQ69G5FAV", "w1", 60_000)).to.equal(false);
        expect((await store.getEvent(event.id))?.state).to.equal("running");
      });

      it("does not claim a finished event, even after its lease would have expired", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 50 });
        expect(await store.finishEvent(event.id, "w1")).to.equal(true);
        expect(await store.getEvent(event.id)).to.deep.include({ state: "done", attempts: 1 });
        await sleep(120);
        expect(await store.claimEvent({ owner: "w2", leaseMs: 60_000 })).to.equal(undefined);
      });

      it("does not finish a queued event", async function () {
        const event = await acceptOne();
        expect(await store.finishEvent(event.id, "w1")).to.equal(false);
        expect((await store.getEvent(event.id))?.state).to.equal("queued");
      });
    });

    describe("verified webhooks", function () {
      const checked = { account: "internal", checkedAt: "2024-06-03T09:16:03.000Z", claimed: "sha256:1" };

      it("keeps the registry's answer with the event its owner holds", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        const verified = { ...checked, digest: "sha256:1" };
        expect(await store.recordVerification(event.id, "w2", verified), "not its owner").to.equal(false);
        expect(await store.recordVerification(event.id, "w1", verified)).to.equal(true);
        expect(await store.getEvent(event.id)).to.deep.include({ state: "running", verification: verified });
        const refused = { ...checked, refused: "no tag v1 at registry internal" };
        expect(await store.recordVerification(event.id, "w1", refused)).to.equal(true);
        expect((await store.listEvents({ limit: 1 }))[0]?.verification).to.deep.equal(refused);
      });

      it("an unreachable registry hands the event back, not claimed before its retryAt", async function () {
        const event = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        const retryAt = new Date(Date.now() + 150).toISOString();
        const unreachable = { ...checked, unreachable: "connection refused", retryAt };
        expect(await store.recordVerification(event.id, "w1", unreachable)).to.equal(true);
        expect(await store.getEvent(event.id)).to.deep.include({
          state: "queued",
          verification: unreachable,
        });
        expect(await store.finishEvent(event.id, "w1"), "no longer held").to.equal(false);
        expect(await store.claimEvent({ owner: "w2", leaseMs: 60_000 })).to.equal(undefined);
        await sleep(250);
        const again = await store.claimEvent({ owner: "w2", leaseMs: 60_000 });
        expect(again?.event.id).to.equal(event.id);
        expect(again?.attempt).to.equal(2);
      });
    });

    describe("onEventsAccepted", function () {
      it("tells listeners after new events are committed, until they unsubscribe", async function () {
        let calls = 0;
        let storedWhenCalled: Promise<StoredEvent[]> | undefined;
        const unsubscribe = store.onEventsAccepted(() => {
          calls++;
          storedWhenCalled ??= store.listEvents();
        });
        await acceptOne();
        await nextTurn();
        expect(calls).to.be.greaterThan(0);
        expect(await storedWhenCalled).to.have.length(1);

        unsubscribe();
        const seen = calls;
        await acceptOne();
        await nextTurn();
        expect(calls).to.equal(seen);
      });

      it("names the projects whose events were accepted", async function () {
        const seen = new Set<string>();
        const unsubscribe = store.onEventsAccepted((projects) => projects.forEach((p) => seen.add(p)));
        await Promise.all([
          store.acceptEvents([newEvent({ project: "alpha" })]),
          store.acceptEvents([newEvent({ project: "beta" }), newEvent({ project: "alpha" })]),
        ]);
        await nextTurn();
        unsubscribe();
        expect([...seen].sort()).to.deep.equal(["alpha", "beta"]);
      });

      it("stays quiet when everything was a duplicate", async function () {
        const event = newEvent();
        await store.acceptEvents([event]);
        await nextTurn();
        let calls = 0;
        store.onEventsAccepted(() => calls++);
        await store.acceptEvents([event]);
        await nextTurn();
        expect(calls).to.equal(0);
      });

      it("is not disturbed by a listener that throws", async function () {
        let calls = 0;
        store.onEventsAccepted(() => {
          throw new Error("listener failure");
        });
        store.onEventsAccepted(() => calls++);
        await acceptOne();
        await nextTurn();
        expect(calls).to.be.greaterThan(0);
      });
    });

    describe("runs", function () {
      it("deletes finished runs with their jobs and logs, never a running one", async function () {
        const event = await acceptOne();
        const make = () =>
          store.createRun({ eventId: event.id, project: "webapp", attempt: 1, handler: "script" });
        const [done, going] = [await make(), await make()];
        const job = await store.createJob({
          runId: done.id,
          name: "j",
          image: "i",
          status: "running",
          tasks: [],
          envNames: [],
        });
        await store.appendLogs([
          { runId: done.id, jobId: job.id, stream: "stdout", text: "out\n" },
          { runId: going.id, stream: "script", text: "still going\n" },
        ]);
        await store.finishRun(done.id, "succeeded");
        expect(await store.deleteRuns([done.id, going.id, "no-such-run"])).to.equal(1);
        expect(await store.getRun(done.id)).to.equal(undefined);
        expect(await store.listJobs(done.id)).to.deep.equal([]);
        expect(await store.readLogs({ runId: done.id })).to.deep.equal([]);
        expect((await store.getRun(going.id))?.status).to.equal("running");
        expect(await store.readLogs({ runId: going.id })).to.have.length(1);
      });

      it("creates a running run and finishes it", async function () {
        const event = await acceptOne();
        const run = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        expect(run).to.deep.include({ eventId: event.id, project: "webapp", attempt: 1, handler: "script" });
        expect(run.status).to.equal("running");
        expect(run.id).to.be.a("string").and.not.equal("");
        expect(Number.isNaN(Date.parse(run.createdAt))).to.equal(false);
        expect(run).to.not.have.property("finishedAt");
        expect(run).to.not.have.property("error");
        expect(await store.getRun(run.id)).to.deep.equal(run);

        await store.finishRun(run.id, "succeeded");
        const done = await store.getRun(run.id);
        expect(done?.status).to.equal("succeeded");
        expect(Number.isNaN(Date.parse(done?.finishedAt ?? ""))).to.equal(false);
        expect(done).to.not.have.property("error");
      });

      it("keeps a run's error", async function () {
        const event = await acceptOne();
        const run = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        const error = { code: "SCRIPT_FAILED" as const, message: "boom", stack: "at bosun.ts:3:7" };
        await store.finishRun(run.id, "failed", error);
        expect(await store.getRun(run.id)).to.deep.include({ status: "failed", error });

        const other = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 2,
          handler: "dispatchfile",
        });
        await store.finishRun(other.id, "timed_out", { code: "SCRIPT_TIMED_OUT", message: "10m" });
        expect((await store.getRun(other.id))?.error).to.deep.equal({
          code: "SCRIPT_TIMED_OUT",
          message: "10m",
        });
      });

      it("leaves a finished run as it is: a late finish does not overwrite abandoned", async function () {
        const event = await acceptOne();
        const run = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        await store.finishRun(run.id, "abandoned", { code: "INTERNAL", message: "claimed again" });
        const abandoned = await store.getRun(run.id);
        await store.finishRun(run.id, "cancelled");
        expect(await store.getRun(run.id)).to.deep.equal(abandoned);
        expect(abandoned?.status).to.equal("abandoned");
      });

      it("returns undefined for an unknown run", async function () {
        expect(await store.getRun("01ARZ3NDEKTSV4RRFFQ69G5FAV")).to.equal(undefined);
      });

      it("lists newest first, by project and by event, with a limit", async function () {
        const e1 = await acceptOne({ project: "alpha" });
        const e2 = await acceptOne({ project: "beta" });
        const r1 = await store.createRun({ eventId: e1.id, project: "alpha", attempt: 1, handler: "script" });
        const r2 = await store.createRun({ eventId: e2.id, project: "beta", attempt: 1, handler: "script" });
        const r3 = await store.createRun({ eventId: e1.id, project: "alpha", attempt: 2, handler: "script" });
        const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
        expect(ids(await store.listRuns())).to.deep.equal([r3.id, r2.id, r1.id]);
        expect(ids(await store.listRuns({ project: "alpha" }))).to.deep.equal([r3.id, r1.id]);
        expect(ids(await store.listRuns({ eventId: e2.id }))).to.deep.equal([r2.id]);
        expect(ids(await store.listRuns({ project: "beta", eventId: e1.id }))).to.deep.equal([]);
        expect(ids(await store.listRuns({ limit: 1 }))).to.deep.equal([r3.id]);
      });

      it("lists by status, and pages newest first from before a run id", async function () {
        const e = await acceptOne({ project: "alpha" });
        const created = [];
        for (let attempt = 1; attempt <= 5; attempt++)
          created.push(
            await store.createRun({ eventId: e.id, project: "alpha", attempt, handler: "script" }),
          );
        const [r1, r2, r3, r4, r5] = created.map((r) => r.id) as [string, string, string, string, string];
        await store.finishRun(r2, "failed");
        await store.finishRun(r4, "failed");
        const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
        expect(ids(await store.listRuns({ status: "failed" }))).to.deep.equal([r4, r2]);
        expect(ids(await store.listRuns({ status: "running" }))).to.deep.equal([r5, r3, r1]);
        expect(ids(await store.listRuns({ limit: 2 }))).to.deep.equal([r5, r4]);
        expect(ids(await store.listRuns({ before: r4, limit: 2 }))).to.deep.equal([r3, r2]);
        expect(ids(await store.listRuns({ before: r2, limit: 2 }))).to.deep.equal([r1]);
        expect(ids(await store.listRuns({ before: r5, status: "running", project: "alpha" }))).to.deep.equal([
          r3,
          r1,
        ]);
        expect(ids(await store.listRuns({ before: r1 }))).to.deep.equal([]);
      });
    });

    describe("jobs", function () {
      async function newRun() {
        const event = await acceptOne();
        return store.createRun({ eventId: event.id, project: "webapp", attempt: 1, handler: "script" });
      }

      it("creates a job and applies partial updates", async function () {
        const run = await newRun();
        const job = await store.createJob({
          runId: run.id,
          name: "test",
          image: "alpine:3",
          status: "pending",
          tasks: ["echo hi", "make test"],
          envNames: ["TOKEN"],
        });
        expect(job).to.deep.include({
          runId: run.id,
          name: "test",
          image: "alpine:3",
          status: "pending",
          tasks: ["echo hi", "make test"],
          envNames: ["TOKEN"],
        });
        expect(Number.isNaN(Date.parse(job.createdAt))).to.equal(false);
        for (const key of ["exitCode", "startedAt", "finishedAt", "error"])
          expect(job).to.not.have.property(key);

        const startedAt = new Date().toISOString();
        await store.updateJob(job.id, { status: "running", startedAt });
        let [stored] = await store.listJobs(run.id);
        expect(stored).to.deep.include({ status: "running", startedAt, tasks: job.tasks });
        expect(stored).to.not.have.property("exitCode");

        const finishedAt = new Date().toISOString();
        await store.updateJob(job.id, { status: "succeeded", exitCode: 0, finishedAt });
        [stored] = await store.listJobs(run.id);
        expect(stored).to.deep.include({ status: "succeeded", exitCode: 0, startedAt, finishedAt });

        const error = { code: "JOB_FAILED" as const, message: "exit 2" };
        await store.updateJob(job.id, { status: "failed", exitCode: 2, error });
        [stored] = await store.listJobs(run.id);
        expect(stored).to.deep.include({ status: "failed", exitCode: 2, error, startedAt, finishedAt });
      });

      it("lists a run's jobs in creation order, and only that run's", async function () {
        const run = await newRun();
        const other = await newRun();
        const names = ["build", "test", "scan", "deploy"];
        for (const name of names) {
          await store.createJob({
            runId: run.id,
            name,
            image: "alpine",
            status: "pending",
            tasks: [],
            envNames: [],
          });
          await store.createJob({
            runId: other.id,
            name: `other-${name}`,
            image: "alpine",
            status: "pending",
            tasks: [],
            envNames: [],
          });
        }
        expect((await store.listJobs(run.id)).map((j) => j.name)).to.deep.equal(names);
        expect(await store.listJobs("01ARZ3NDEKTSV4RRFFQ69G5FAV")).to.deep.equal([]);
      });
    });

    describe("logs", function () {
      it("appends and reads in seq order, filtered by job, afterSeq and limit", async function () {
        const event = await acceptOne();
        const run = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        const other = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 2,
          handler: "script",
        });
        const job = await store.createJob({
          runId: run.id,
          name: "test",
          image: "alpine",
          status: "running",
          tasks: [],
          envNames: [],
        });
        const entries: NewLogEntry[] = [
          { runId: run.id, stream: "script", text: "starting" },
          { runId: run.id, jobId: job.id, stream: "stdout", text: "line 1\n" },
          { runId: other.id, stream: "script", text: "other run" },
          { runId: run.id, jobId: job.id, stream: "stderr", text: "warning\n" },
        ];
        await store.appendLogs(entries.slice(0, 2));
        await store.appendLogs(entries.slice(2));
        await store.appendLogs([]);

        const all = await store.readLogs({ runId: run.id });
        expect(all.map((e) => e.text)).to.deep.equal(["starting", "line 1\n", "warning\n"]);
        for (let i = 1; i < all.length; i++) expect(all[i]!.seq).to.be.greaterThan(all[i - 1]!.seq);
        expect(all[0]).to.not.have.property("jobId");
        expect(all[0]).to.deep.include({ runId: run.id, stream: "script" });
        expect(all[1]).to.deep.include({ runId: run.id, jobId: job.id, stream: "stdout" });
        for (const e of all) expect(Number.isNaN(Date.parse(e.at))).to.equal(false);

        const ofJob = await store.readLogs({ runId: run.id, jobId: job.id });
        expect(ofJob.map((e) => e.text)).to.deep.equal(["line 1\n", "warning\n"]);
        const after = await store.readLogs({ runId: run.id, afterSeq: all[0]!.seq });
        expect(after.map((e) => e.seq)).to.deep.equal([all[1]!.seq, all[2]!.seq]);
        const limited = await store.readLogs({ runId: run.id, limit: 2 });
        expect(limited.map((e) => e.seq)).to.deep.equal([all[0]!.seq, all[1]!.seq]);
        expect(await store.readLogs({ runId: run.id, afterSeq: all[2]!.seq })).to.deep.equal([]);
        expect((await store.readLogs({ runId: other.id })).map((e) => e.text)).to.deep.equal(["other run"]);
      });

      it("gives later appends higher seqs than anything read before", async function () {
        const event = await acceptOne();
        const run = await store.createRun({
          eventId: event.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        await store.appendLogs([{ runId: run.id, stream: "script", text: "one" }]);
        const [first] = await store.readLogs({ runId: run.id });
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.appendLogs([{ runId: run.id, stream: "script", text: `${i}` }]),
          ),
        );
        const next = await store.readLogs({ runId: run.id, afterSeq: first!.seq });
        expect(next).to.have.length(10);
      });
    });

    describe("projects made through the API", function () {
      const spec = (n: number) => JSON.stringify({ name: "api-made", concurrency: n });

      it("creates once, updates one revision on, lists by name, and removes", async function () {
        const created = await store.createProject({ name: "api-made", spec: spec(1), sealed: "v1:s" });
        expect(created).to.include({ name: "api-made", spec: spec(1), sealed: "v1:s", revision: 1 });
        expect(created!.updatedAt).to.equal(created!.createdAt);
        expect(await store.createProject({ name: "api-made", spec: spec(9), sealed: "" })).to.equal(
          undefined,
        );
        await store.createProject({ name: "another", spec: "{}", sealed: "" });

        const updated = await store.updateProject({ name: "api-made", spec: spec(2), sealed: "" });
        expect(updated).to.include({ spec: spec(2), sealed: "", revision: 2, createdAt: created!.createdAt });
        expect(await store.updateProject({ name: "nobody", spec: "{}", sealed: "" })).to.equal(undefined);
        expect((await store.listProjects()).map((p) => [p.name, p.revision])).to.deep.equal([
          ["another", 1],
          ["api-made", 2],
        ]);

        expect(await store.removeProject("api-made")).to.equal(true);
        expect(await store.removeProject("api-made")).to.equal(false);
        expect((await store.listProjects()).map((p) => p.name)).to.deep.equal(["another"]);
        // A name removed can be made again, from revision 1.
        const again = await store.createProject({ name: "api-made", spec: spec(3), sealed: "" });
        expect(again?.revision).to.equal(1);
      });
    });
    actionsContract(() => store, acceptOne);
    describe("watched repositories", function () {
      const tags = (entries: Record<string, string>) => new Map(Object.entries(entries));

      it("knows nothing of a repository before its first recording, then its tags and changes", async function () {
        expect(await store.watches.known("internal", "team/app")).to.equal(undefined);
        await store.watches.record("internal", "team/app", tags({ v1: "sha256:a", v2: "sha256:b" }));
        const first = await store.watches.known("internal", "team/app");
        expect(first!.tags).to.deep.equal(tags({ v1: "sha256:a", v2: "sha256:b" }));
        expect(first!.changes).to.equal(1);
        expect(Number.isNaN(Date.parse(first!.recordedAt))).to.equal(false);
        // A recording replaces the tags: a deleted tag is forgotten, a moved one has its new digest.
        await store.watches.record("internal", "team/app", tags({ v2: "sha256:c" }));
        const second = await store.watches.known("internal", "team/app");
        expect(second!.tags).to.deep.equal(tags({ v2: "sha256:c" }));
        expect(second!.changes).to.equal(2);
        // An empty repository is recorded too: scanned, with no tags.
        await store.watches.record("internal", "team/empty", new Map());
        expect((await store.watches.known("internal", "team/empty"))!.tags.size).to.equal(0);
        // Accounts are apart: the same repository of another registry is another.
        expect(await store.watches.known("other", "team/app")).to.equal(undefined);
      });

      it("leases a repository to one owner at a time, renewed by it, free again when released or run out", async function () {
        expect(await store.watches.lease("internal", "team/app", "a", 60_000)).to.equal(true);
        expect(await store.watches.lease("internal", "team/app", "b", 60_000)).to.equal(false);
        expect(await store.watches.lease("internal", "team/app", "a", 60_000)).to.equal(true);
        expect(await store.watches.lease("internal", "team/api", "b", 60_000)).to.equal(true);
        // A lease taken before any recording is not a recording.
        expect(await store.watches.known("internal", "team/app")).to.equal(undefined);
        await store.watches.release("internal", "team/app", "b");
        expect(await store.watches.lease("internal", "team/app", "b", 60_000)).to.equal(false);
        await store.watches.release("internal", "team/app", "a");
        expect(await store.watches.lease("internal", "team/app", "b", 1)).to.equal(true);
        await sleep(50);
        expect(await store.watches.lease("internal", "team/app", "a", 60_000)).to.equal(true);
      });

      it("lists what is recorded and leased, by account", async function () {
        await store.watches.record("internal", "team/app", tags({ v1: "sha256:a", v2: "sha256:b" }));
        await store.watches.lease("internal", "team/app", "poller-1", 60_000);
        await store.watches.lease("hub", "library/redis", "poller-2", 60_000);
        const all = await store.watches.list();
        expect(all.map((w) => [w.account, w.repository, w.tags, w.leaseOwner])).to.deep.equal([
          ["hub", "library/redis", 0, "poller-2"],
          ["internal", "team/app", 2, "poller-1"],
        ]);
        expect(all[0]).to.not.have.property("recordedAt");
        expect(all[1]!.recordedAt).to.be.a("string");
        expect((await store.watches.list("hub")).map((w) => w.repository)).to.deep.equal(["library/redis"]);
      });

      it("keeps the recorded tags across a reopen", async function () {
        if (!subject.reopen) this.skip();
        await store.watches.record("internal", "team/app", tags({ v1: "sha256:a" }));
        await store.close();
        const reopened = await subject.reopen!();
        try {
          const known = await reopened.watches.known("internal", "team/app");
          expect(known!.tags).to.deep.equal(tags({ v1: "sha256:a" }));
          expect(known!.changes).to.equal(1);
        } finally {
          await reopened.close();
        }
      });
    });
    describe("projects' webhooks", function () {
      it("leases a project's webhook to one owner at a time; only the holder records or forgets it", async function () {
        expect(await store.webhooks.lease("webapp", "a", 60_000)).to.equal(true);
        expect(await store.webhooks.lease("webapp", "b", 60_000)).to.equal(false);
        expect(await store.webhooks.lease("webapp", "a", 60_000)).to.equal(true);
        expect(await store.webhooks.lease("billing", "b", 60_000)).to.equal(true);
        // Leased, not yet recorded: listed without a state.
        expect(await store.webhooks.list()).to.deep.equal([{ project: "billing" }, { project: "webapp" }]);
        expect(await store.webhooks.record("webapp", "b", '{"state":"x"}')).to.equal(false);
        expect(await store.webhooks.record("webapp", "a", '{"state":"registered"}')).to.equal(true);
        expect(await store.webhooks.forget("webapp", "b")).to.equal(false);
        await store.webhooks.release("webapp", "b");
        expect(await store.webhooks.lease("webapp", "b", 60_000)).to.equal(false);
        await store.webhooks.release("webapp", "a");
        // Released: the state stays, but the old holder may no longer write it.
        expect(await store.webhooks.record("webapp", "a", '{"state":"y"}')).to.equal(false);
        const listed = await store.webhooks.list();
        expect(listed.map((r) => [r.project, r.state])).to.deep.equal([
          ["billing", undefined],
          ["webapp", '{"state":"registered"}'],
        ]);
        expect(Number.isNaN(Date.parse(listed[1]!.updatedAt!))).to.equal(false);
        // A lease that ran out is another owner's to take.
        expect(await store.webhooks.lease("webapp", "b", 1)).to.equal(true);
        await sleep(50);
        expect(await store.webhooks.record("webapp", "b", '{"state":"late"}')).to.equal(false);
        expect(await store.webhooks.lease("webapp", "a", 60_000)).to.equal(true);
        expect(await store.webhooks.forget("webapp", "a")).to.equal(true);
        expect((await store.webhooks.list()).map((r) => r.project)).to.deep.equal(["billing"]);
      });

      it("keeps a recorded state across a reopen", async function () {
        if (!subject.reopen) this.skip();
        await store.webhooks.lease("webapp", "a", 60_000);
        await store.webhooks.record("webapp", "a", '{"state":"registered"}');
        await store.close();
        const reopened = await subject.reopen!();
        try {
          const [record] = await reopened.webhooks.list();
          expect(record?.state).to.equal('{"state":"registered"}');
        } finally {
          await reopened.close();
        }
      });
    });
    deliveryContract(() => store);

    describe("lifecycle", function () {
      it("answers ping", async function () {
        await store.ping();
      });

      it("rejects with StoreUnavailableError once closed, and closes twice without complaint", async function () {
        await store.close();
        await store.close();
        const calls: (() => Promise<unknown>)[] = [
          () => store.acceptEvents([newEvent()]),
          () => store.getEvent("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
          () => store.listEvents(),
          () => store.claimEvent({ owner: "w1", leaseMs: 1000 }),
          () => store.createRun({ eventId: "e", project: "p", attempt: 1, handler: "script" }),
          () => store.listRuns(),
          () => store.readLogs({ runId: "r" }),
          () => store.listDeliveries(),
          () => store.getDelivery("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
          () => store.recordDelivery({ ...newDelivery(), outcome: "ignored" }),
          () => store.pruneDeliveries(new Date().toISOString()),
          () => store.ping(),
        ];
        for (const call of calls) {
          const outcome = await call().then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(outcome).to.be.instanceOf(StoreUnavailableError);
          expect((outcome as StoreUnavailableError).code).to.equal("STORE_UNAVAILABLE");
        }
      });

      it("keeps everything across a reopen", async function () {
        if (!subject.reopen) this.skip();
        const claimed = await acceptOne();
        const queued = await acceptOne();
        await store.claimEvent({ owner: "w1", leaseMs: 60_000 });
        const run = await store.createRun({
          eventId: claimed.id,
          project: "webapp",
          attempt: 1,
          handler: "script",
        });
        const job = await store.createJob({
          runId: run.id,
          name: "test",
          image: "alpine",
          status: "running",
          tasks: ["true"],
          envNames: [],
        });
        await store.updateJob(job.id, { status: "succeeded", exitCode: 0 });
        await store.finishRun(run.id, "succeeded");
        await store.appendLogs([{ runId: run.id, jobId: job.id, stream: "stdout", text: "ok" }]);
        const before = {
          events: await store.listEvents(),
          run: await store.getRun(run.id),
          jobs: await store.listJobs(run.id),
          logs: await store.readLogs({ runId: run.id }),
        };
        await store.close();

        const reopened = await subject.reopen!();
        try {
          expect(await reopened.listEvents()).to.deep.equal(before.events);
          expect(await reopened.getRun(run.id)).to.deep.equal(before.run);
          expect(await reopened.listJobs(run.id)).to.deep.equal(before.jobs);
          expect(await reopened.readLogs({ runId: run.id })).to.deep.equal(before.logs);
          // The queue carries on where it was: the claimed event stays leased, the other is next.
          const claim = await reopened.claimEvent({ owner: "w2", leaseMs: 60_000 });
          expect(claim?.event.id).to.equal(queued.id);
          // Dedupe is durable too.
          const again = await reopened.acceptEvents([
            { ...newEvent(), project: claimed.project, deliveryId: claimed.deliveryId },
          ]);
          expect(again.duplicates.map((e) => e.id)).to.deep.equal([claimed.id]);
          await reopened.appendLogs([{ runId: run.id, stream: "script", text: "after reopen" }]);
          const logs = await reopened.readLogs({ runId: run.id, afterSeq: before.logs[0]!.seq });
          expect(logs.map((e) => e.text)).to.deep.equal(["after reopen"]);
        } finally {
          await reopened.close();
        }
      });
    });
  });
}
