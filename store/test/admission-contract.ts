/** The accept-time rules every Store applies: tag policies' best tags, and one push, one run. */
import { expect } from "chai";
import { compileTagPolicy, type NewImagePushEvent, type PushAdmission } from "@bosun/core";
import type { Store } from "../src/types.js";
import { newEvent } from "./store-contract.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const DIGEST_A = `sha256:${"a".repeat(64)}`;
let digests = 0;
export const freshDigest = () => `sha256:${(++digests).toString(16).padStart(64, "0")}`;
export const semverOnly = { key: "semver-policy", policy: compileTagPolicy({ order: "semver" }) };

/** A push of `repository` with `tag` (absent: by digest), as a gateway hands it over with `admission`. */
export function pushOf(
  tag: string | undefined,
  admission?: PushAdmission,
  digest = DIGEST_A,
  repository = "myorg/webapp",
) {
  const ref = tag ? `docker.io/${repository}:${tag}` : `docker.io/${repository}@${digest}`;
  const event: NewImagePushEvent = newEvent({
    image: { registry: "docker.io", repository, ...(tag ? { tag } : {}), digest, ref },
    admission: admission ?? { always: true, policies: [] },
  });
  return event;
}

export function admissionContract(storeOf: () => Store): void {
  const claim = () => storeOf().claimEvent({ owner: "w", leaseMs: 60_000 });
  const policyOnly = (tag: string, repository?: string) =>
    pushOf(tag, { always: false, policies: [semverOnly] }, freshDigest(), repository);

  describe("tag policies", function () {
    it("takes a push only when its tag becomes the best tag, saying why not", async function () {
      const store = storeOf();
      expect((await store.acceptEvents([policyOnly("v1.3.0")])).accepted).to.have.length(1);
      const older = policyOnly("v1.2.0");
      const result = await store.acceptEvents([older]);
      expect(result.accepted).to.deep.equal([]);
      expect(result.declined).to.deep.equal([
        { event: older, reason: "v1.2.0 is older than the best tag v1.3.0" },
      ]);
      expect((await store.acceptEvents([policyOnly("v1.3.0")])).declined[0]?.reason).to.equal(
        "v1.3.0 is already the best tag",
      );
      expect((await store.acceptEvents([policyOnly("v1.4.0")])).accepted).to.have.length(1);
    });

    it("keeps a best tag per repository and per policy, and judges a batch in order", async function () {
      const store = storeOf();
      await store.acceptEvents([policyOnly("v2.0.0")]);
      expect((await store.acceptEvents([policyOnly("v1.0.0", "myorg/other")])).accepted).to.have.length(1);
      const other = { key: "another-policy", policy: semverOnly.policy };
      const batch = [
        pushOf("v1.0.0", { always: false, policies: [other] }, freshDigest()),
        pushOf("v0.9.0", { always: false, policies: [other] }, freshDigest()),
        pushOf("v1.1.0", { always: false, policies: [other] }, freshDigest()),
      ];
      const result = await store.acceptEvents(batch);
      expect(result.accepted.map((e) => e.image?.tag)).to.deep.equal(["v1.0.0", "v1.1.0"]);
      expect(result.declined.map((d) => d.reason)).to.deep.equal([
        "v0.9.0 is older than the best tag v1.0.0",
      ]);
    });

    it("advances the best tag of a push another subscription takes anyway", async function () {
      const store = storeOf();
      const taken = pushOf("v5.0.0", { always: true, policies: [semverOnly] }, freshDigest());
      expect((await store.acceptEvents([taken])).accepted).to.have.length(1);
      expect((await store.acceptEvents([policyOnly("v4.0.0")])).declined[0]?.reason).to.equal(
        "v4.0.0 is older than the best tag v5.0.0",
      );
    });

    it("answers a redelivery as a duplicate, not as declined", async function () {
      const store = storeOf();
      const push = policyOnly("v1.0.0");
      const first = await store.acceptEvents([push]);
      const again = await store.acceptEvents([push]);
      expect(again.declined).to.deep.equal([]);
      expect(again.duplicates.map((e) => e.id)).to.deep.equal(first.accepted.map((e) => e.id));
    });
  });

  describe("one push, one run", function () {
    it("stores an event without an admission (created through the API) as given", async function () {
      const store = storeOf();
      const digest = freshDigest();
      const asked = (tag?: string) => {
        const { admission: _, ...event } = pushOf(tag, undefined, digest);
        return event;
      };
      await store.acceptEvents([asked("v1")]);
      const [byDigest] = (await store.acceptEvents([asked()])).accepted;
      expect((await claim())?.event.image?.tag).to.equal("v1");
      expect((await claim())?.event.id).to.equal(byDigest!.id);
    });

    it("holds a digest-only push, and drops it when its digest arrives tagged", async function () {
      const store = storeOf();
      const digest = freshDigest();
      const [held] = (
        await store.acceptEvents([pushOf(undefined, { always: true, policies: [], holdMs: 60_000 }, digest)])
      ).accepted;
      expect(held).to.not.equal(undefined);
      expect(await claim()).to.equal(undefined);
      const [tagged] = (await store.acceptEvents([pushOf("v1.0.0", undefined, digest)])).accepted;
      expect(await store.getEvent(held!.id)).to.equal(undefined);
      expect((await claim())?.event.id).to.equal(tagged!.id);
      expect(await claim()).to.equal(undefined);
    });

    it("declines a digest-only push whose digest already arrived tagged", async function () {
      const store = storeOf();
      const digest = freshDigest();
      await store.acceptEvents([pushOf("v1.0.0", undefined, digest)]);
      const late = pushOf(undefined, undefined, digest);
      const result = await store.acceptEvents([late]);
      expect(result.accepted).to.deep.equal([]);
      expect(result.declined).to.deep.equal([
        {
          event: late,
          reason: `${late.image.ref} is the push already accepted as docker.io/myorg/webapp:v1.0.0`,
        },
      ]);
    });

    it("settles a digest-only and a tagged push of one body, in either order, to one event", async function () {
      const store = storeOf();
      for (const order of [
        ["digest", "tag"],
        ["tag", "digest"],
      ]) {
        const digest = freshDigest();
        const pushes = order.map((o) =>
          o === "tag" ? pushOf("v1", undefined, digest) : pushOf(undefined, undefined, digest),
        );
        await store.acceptEvents(pushes);
        const left = (await store.listEvents()).filter((e) => e.image?.digest === digest);
        expect(
          left.map((e) => e.image?.tag),
          order.join(" then "),
        ).to.deep.equal(["v1"]);
      }
    });

    it("leaves one event of a digest among concurrent digest-only and tagged accepts", async function () {
      const store = storeOf();
      const digestsUsed = Array.from({ length: 8 }, freshDigest);
      await Promise.all(
        digestsUsed.flatMap((d) => [
          store.acceptEvents([pushOf(undefined, { always: true, policies: [], holdMs: 60_000 }, d)]),
          store.acceptEvents([pushOf("v1", undefined, d)]),
        ]),
      );
      const events = await store.listEvents({ limit: 1000 });
      for (const d of digestsUsed)
        expect(
          events.filter((e) => e.image?.digest === d).map((e) => e.image?.tag),
          d,
        ).to.deep.equal(["v1"]);
    });

    it("lets a digest-only push run once its hold is over", async function () {
      const store = storeOf();
      const [held] = (
        await store.acceptEvents([
          pushOf(undefined, { always: true, policies: [], holdMs: 1 }, freshDigest()),
        ])
      ).accepted;
      await sleep(20);
      expect((await claim())?.event.id).to.equal(held!.id);
    });

    it("keeps a digest-only push a worker already took: its tagged push then runs too", async function () {
      const store = storeOf();
      const digest = freshDigest();
      const [held] = (
        await store.acceptEvents([pushOf(undefined, { always: true, policies: [], holdMs: 1 }, digest)])
      ).accepted;
      await sleep(20);
      expect((await claim())?.event.id).to.equal(held!.id);
      expect((await store.acceptEvents([pushOf("v1", undefined, digest)])).accepted).to.have.length(1);
      expect((await store.getEvent(held!.id))?.state).to.equal("running");
    });

    it("runPer digest: the tags of one digest within the window make one event with every tag", async function () {
      const store = storeOf();
      const gather = { always: true, policies: [], gatherMs: 60_000 };
      const digest = freshDigest();
      const [first] = (await store.acceptEvents([pushOf("latest", gather, digest)])).accepted;
      const second = pushOf("v1.2.3", gather, digest);
      const joined = await store.acceptEvents([second]);
      expect(joined.accepted).to.deep.equal([]);
      expect(joined.merged.map((e) => [e.id, e.image?.tag, e.image?.tags])).to.deep.equal([
        [first!.id, "latest", ["latest", "v1.2.3"]],
      ]);
      expect((await store.acceptEvents([second])).duplicates).to.have.length(1);
      expect((await store.acceptEvents([pushOf(undefined, undefined, digest)])).declined).to.have.length(1);
      expect(await claim(), "held for its window").to.equal(undefined);
      expect((await store.getEvent(first!.id))?.image?.tags).to.deep.equal(["latest", "v1.2.3"]);
    });

    it("runPer digest: the event runs after its window, and a later push of the digest is an event of its own", async function () {
      const store = storeOf();
      const gather = { always: true, policies: [], gatherMs: 1 };
      const digest = freshDigest();
      const [first] = (await store.acceptEvents([pushOf("latest", gather, digest)])).accepted;
      await sleep(20);
      const claimed = await claim();
      expect(claimed?.event.id).to.equal(first!.id);
      expect(claimed?.event.image?.tags).to.deep.equal(["latest"]);
      expect((await store.acceptEvents([pushOf("v2", gather, digest)])).accepted).to.have.length(1);
    });
  });
}
