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

  describe("one push, one run across webhook and poll", function () {
    const both = { always: true, policies: [], heardAndPolled: true };
    /** A push of team/app:TAG at DIGEST, heard from a registry's webhook or seen by a poll. */
    const push = (source: "distribution" | "poll", registry: string, tag: string, digest: string) =>
      newEvent({
        source,
        image: { registry, repository: "team/app", tag, digest, ref: `${registry}/team/app:${tag}` },
        admission: both,
      });

    it("a poll seeing what a webhook delivered is its duplicate, and the reverse; hosts compared by registryHostKey", async function () {
      const store = storeOf();
      const d1 = freshDigest();
      const [heard] = (await store.acceptEvents([push("distribution", "Registry.Example.com:443", "v1", d1)]))
        .accepted;
      const seen = await store.acceptEvents([push("poll", "registry.example.com", "v1", d1)]);
      expect(seen.accepted).to.deep.equal([]);
      expect(seen.duplicates.map((e) => e.id)).to.deep.equal([heard!.id]);

      const d2 = freshDigest();
      const [polled] = (await store.acceptEvents([push("poll", "registry.example.com", "v2", d2)])).accepted;
      const late = await store.acceptEvents([push("distribution", "registry.example.com", "v2", d2)]);
      expect(late.accepted).to.deep.equal([]);
      expect(late.duplicates.map((e) => e.id)).to.deep.equal([polled!.id]);
      expect(await store.listEvents({ project: "webapp", limit: 10 })).to.have.length(2);
    });

    it("the same side twice is two pushes, and so is a tag that moved back since the other side saw it", async function () {
      const store = storeOf();
      const [d1, d2] = [freshDigest(), freshDigest()];
      const host = "registry.example.com";
      expect((await store.acceptEvents([push("distribution", host, "v3", d1)])).accepted).to.have.length(1);
      expect((await store.acceptEvents([push("distribution", host, "v3", d1)])).accepted).to.have.length(1);
      expect((await store.acceptEvents([push("distribution", host, "v3", d2)])).accepted).to.have.length(1);
      // The tag's latest event names d2: a poll finding it back at d1 saw a push of its own.
      expect((await store.acceptEvents([push("poll", host, "v3", d1)])).accepted).to.have.length(1);
      // Another host, or a project that does not hear both ways, is not the same push.
      expect(
        (await store.acceptEvents([push("poll", "other.example.com", "v3", d1)])).accepted,
      ).to.have.length(1);
      const unchecked = { ...push("poll", host, "v3", d2), admission: { always: true, policies: [] } };
      expect((await store.acceptEvents([unchecked])).accepted).to.have.length(1);
    });

    it("a push that joined a runPer: digest event is that event's, seen from either side", async function () {
      const store = storeOf();
      const digest = freshDigest();
      const host = "registry.example.com";
      const gather = { ...both, gatherMs: 60_000 };
      const heard = (tag: string) => ({ ...push("distribution", host, tag, digest), admission: gather });
      const [first] = (await store.acceptEvents([heard("latest")])).accepted;
      expect((await store.acceptEvents([heard("v4")])).merged.map((e) => e.id)).to.deep.equal([first!.id]);
      const seen = await store.acceptEvents([
        { ...push("poll", host, "latest", digest), admission: gather },
        { ...push("poll", host, "v4", digest), admission: gather },
      ]);
      expect(seen.accepted).to.deep.equal([]);
      expect(seen.merged).to.deep.equal([]);
      expect(seen.duplicates).to.have.length(2);
      expect(seen.duplicates[0]!.id).to.equal(first!.id);
    });
  });
}
