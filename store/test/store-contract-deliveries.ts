import { expect } from "chai";
import type { NewDelivery, Store } from "../src/types.js";
import { newEvent } from "./store-contract.js";
import { freshDigest, pushOf } from "./admission-contract.js";

/** A delivery of `project` reporting one image; `overrides` pins what a test cares about. */
export function newDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    registry: "dockerhub",
    project: "webapp",
    headers: { "content-type": "application/json", "user-agent": "Go-http-client/1.1" },
    body: '{"push_data":{"tag":"v1"}}',
    bodyTruncated: false,
    images: [{ repository: "myorg/webapp", tag: "v1" }],
    ignored: [],
    keep: 1000,
    ...overrides,
  };
}

/** The delivery log, part of the store contract: `store()` is the test's store. */
export function deliveryContract(store: () => Store): void {
  describe("deliveries", function () {
    it("records an accepted delivery with its events in the same accept", async function () {
      const event = newEvent();
      // The events keep the body whole: the delivery shows it from there, not cut short.
      const result = await store().acceptEvents([event], newDelivery({ body: "{", bodyTruncated: true }));
      expect(result.recordedDelivery).to.be.a("string");
      const delivery = await store().getDelivery(result.recordedDelivery!);
      expect(delivery).to.include({ outcome: "accepted", project: "webapp", registry: "dockerhub" });
      expect(delivery?.eventIds).to.deep.equal(result.accepted.map((e) => e.id));
      expect(delivery?.duplicateOf).to.deep.equal([]);
      expect(delivery?.headers).to.deep.equal(newDelivery().headers);
      expect(delivery?.images).to.deep.equal([{ repository: "myorg/webapp", tag: "v1" }]);
      expect(delivery?.body).to.equal(event.payload);
      expect(delivery).to.not.have.property("bodyTruncated");
      expect(delivery).to.not.have.property("keep");
      expect(delivery).to.not.have.property("bodyEvent");
    });

    it("records a repeat as duplicate, naming the event it repeats", async function () {
      const event = newEvent();
      const first = await store().acceptEvents([event], newDelivery());
      const again = await store().acceptEvents([event], newDelivery());
      const delivery = await store().getDelivery(again.recordedDelivery!);
      expect(delivery?.outcome).to.equal("duplicate");
      expect(delivery?.eventIds).to.deep.equal([]);
      expect(delivery?.duplicateOf).to.deep.equal([first.accepted[0]!.id]);
    });

    it("records a push that joined an event gathering its digest's tags as duplicate, naming that event", async function () {
      const gather = { always: true, policies: [], gatherMs: 60_000 };
      const digest = freshDigest();
      const first = await store().acceptEvents([pushOf("latest", gather, digest)], newDelivery());
      const joined = await store().acceptEvents(
        [pushOf("v1.2.3", gather, digest)],
        newDelivery({ images: [{ repository: "myorg/webapp", tag: "v1.2.3" }] }),
      );
      const delivery = await store().getDelivery(joined.recordedDelivery!);
      expect(delivery?.outcome).to.equal("duplicate");
      expect(delivery?.eventIds).to.deep.equal([]);
      expect(delivery?.duplicateOf).to.deep.equal([first.accepted[0]!.id]);
    });

    it("records each delivery of accepts made at once as it reads: new, repeated, partly repeated, ignored", async function () {
      const [seen, other] = [newEvent(), newEvent()];
      const first = await store().acceptEvents([seen], newDelivery());
      const fresh = newEvent();
      const [news, repeat, partly, ignored] = await Promise.all([
        store().acceptEvents([fresh], newDelivery()),
        store().acceptEvents([seen], newDelivery()),
        store().acceptEvents([other, seen], newDelivery()),
        store().recordDelivery({
          ...newDelivery({ ignored: [{ what: "x", reasons: ["r"] }] }),
          outcome: "ignored",
        }),
      ]);
      const read = (id: string | undefined) => store().getDelivery(id!);
      expect(await read(news.recordedDelivery)).to.deep.include({
        outcome: "accepted",
        eventIds: [news.accepted[0]!.id],
        duplicateOf: [],
        body: fresh.payload,
      });
      expect(await read(repeat.recordedDelivery)).to.deep.include({
        outcome: "duplicate",
        eventIds: [],
        duplicateOf: [first.accepted[0]!.id],
      });
      expect(await read(partly.recordedDelivery)).to.deep.include({
        outcome: "accepted",
        eventIds: [partly.accepted[0]!.id],
        duplicateOf: [first.accepted[0]!.id],
      });
      expect(partly.accepted.map((e) => e.deliveryId)).to.deep.equal([other.deliveryId]);
      expect(await read(ignored.id)).to.deep.include({ outcome: "ignored" });
      const listed = await store().listDeliveries({ limit: 1000 });
      for (const id of [news.recordedDelivery, repeat.recordedDelivery, partly.recordedDelivery, ignored.id])
        expect(
          listed.filter((d) => d.id === id),
          `delivery ${id} once`,
        ).to.have.length(1);
    });

    it("records ignored and rejected deliveries with their reasons and problem", async function () {
      const ignored = await store().recordDelivery({
        ...newDelivery({ ignored: [{ what: "docker.io/myorg/webapp:v1-rc1", reasons: ["tag excluded"] }] }),
        outcome: "ignored",
      });
      const rejected = await store().recordDelivery({
        ...newDelivery({
          body: "{not json",
          bodyTruncated: true,
          images: [],
          problem: { code: "PAYLOAD_MALFORMED", message: "not JSON" },
          replayOf: ignored.id,
        }),
        outcome: "rejected",
      });
      expect(await store().getDelivery(ignored.id)).to.deep.equal(ignored);
      expect(await store().getDelivery(rejected.id)).to.deep.equal(rejected);
      expect(rejected).to.include({ outcome: "rejected", bodyTruncated: true, replayOf: ignored.id });
      expect(rejected.problem).to.deep.equal({ code: "PAYLOAD_MALFORMED", message: "not JSON" });
      expect(ignored.ignored).to.deep.equal([
        { what: "docker.io/myorg/webapp:v1-rc1", reasons: ["tag excluded"] },
      ]);
      expect(await store().getDelivery("01ARZ3NDEKTSV4RRFFQ69G5FAV")).to.equal(undefined);
    });

    it("lists newest first, by every filter, and pages with before", async function () {
      const record = (d: Partial<NewDelivery>, outcome: "ignored" | "rejected" = "ignored") =>
        store().recordDelivery({ ...newDelivery(d), outcome });
      const a = await record({ project: "webapp", images: [{ repository: "team/app", tag: "v1" }] });
      const b = await record({
        project: "other",
        registry: "quay",
        images: [{ repository: "team/x", tag: "v2" }],
      });
      const c = await record({ images: [{ repository: "team/app", tag: "v2" }] }, "rejected");
      const ids = (list: { id: string }[]) => list.map((d) => d.id);
      expect(ids(await store().listDeliveries())).to.deep.equal([c.id, b.id, a.id]);
      expect(ids(await store().listDeliveries({ project: "webapp" }))).to.deep.equal([c.id, a.id]);
      expect(ids(await store().listDeliveries({ registry: "quay" }))).to.deep.equal([b.id]);
      expect(ids(await store().listDeliveries({ outcome: "rejected" }))).to.deep.equal([c.id]);
      expect(ids(await store().listDeliveries({ repository: "team/app" }))).to.deep.equal([c.id, a.id]);
      expect(ids(await store().listDeliveries({ tag: "v2" }))).to.deep.equal([c.id, b.id]);
      expect(ids(await store().listDeliveries({ repository: "team/app", tag: "v1" }))).to.deep.equal([a.id]);
      expect(ids(await store().listDeliveries({ limit: 2 }))).to.deep.equal([c.id, b.id]);
      expect(ids(await store().listDeliveries({ before: b.id, limit: 2 }))).to.deep.equal([a.id]);
      expect(ids(await store().listDeliveries({ since: b.receivedAt }))).to.include.members([c.id, b.id]);
      expect(ids(await store().listDeliveries({ until: a.receivedAt }))).to.deep.equal([]);
    });

    it("keeps at most `keep`: a flood of ignored deliveries leaves the newest", async function () {
      const keep = 5;
      const flood = Array.from({ length: 40 }, () =>
        store().recordDelivery({ ...newDelivery({ keep }), outcome: "ignored" }),
      );
      const recorded = await Promise.all(flood);
      const left = await store().listDeliveries({ limit: 100 });
      expect(left.length).to.be.at.most(keep);
      expect(left.map((d) => d.id)).to.include(recorded.at(-1)!.id);
      // Accepted deliveries are bounded the same way.
      for (let i = 0; i < 10; i++) await store().acceptEvents([newEvent()], newDelivery({ keep }));
      expect((await store().listDeliveries({ limit: 100 })).length).to.equal(keep);
    });

    it("prunes deliveries older than a time", async function () {
      const old = await store().recordDelivery({ ...newDelivery(), outcome: "ignored" });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const cut = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const recent = await store().recordDelivery({ ...newDelivery(), outcome: "ignored" });
      expect(await store().pruneDeliveries(cut)).to.equal(1);
      expect(await store().getDelivery(old.id)).to.equal(undefined);
      expect(await store().getDelivery(recent.id)).to.deep.equal(recent);
      expect(await store().pruneDeliveries(cut)).to.equal(0);
    });
  });
}
