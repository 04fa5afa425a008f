/**
 * The accept-time rules through the HTTP gateway: signature tags skipped, tag policies, a digest-only
 * GCR INSERT that is the same push as its tagged one, and runPer: digest.
 */
import { expect } from "chai";
import type { NewImagePushEvent, ProjectConfig, Subscription } from "@bosun/core";
import { distribution } from "../src/index.js";
import { gcr } from "../src/gcr/gateway.js";
import { ownFixture } from "./support/fixtures.js";
import { projectConfig, send, startGateway, type RunningGateway } from "./support/server.js";
import { openTestStore, type TestStore } from "./support/store.js";

const TOKEN = "admission-token-123";
const claim = (db: TestStore) => db.store.claimEvent({ owner: "test", leaseMs: 60_000 });

/** A GCR Pub/Sub push of `data`, in the envelope of the fixtures. */
function gcrEnvelope(data: object, messageId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      message: {
        attributes: {},
        data: Buffer.from(JSON.stringify(data)).toString("base64"),
        messageId,
        message_id: messageId,
        publishTime: "2024-06-03T09:16:03.100Z",
        publish_time: "2024-06-03T09:16:03.100Z",
      },
      subscription: "projects/acme-prod/subscriptions/bosun-webapp",
    }),
  );
}

describe("gateway: accept-time rules", () => {
  let db: TestStore;
  let gateway: RunningGateway;
  let project: ProjectConfig;

  const start = async (subscriptions: Subscription[], digestHoldMs?: number) => {
    project = { ...projectConfig("rules", TOKEN), subscriptions };
    gateway = await startGateway({
      ...(digestHoldMs === undefined ? {} : { digestHoldMs }),
      store: db.store,
      registries: [distribution, gcr],
      findProject: (name) => (name === project.name ? project : undefined),
    });
  };
  const sendGcr = (body: Buffer) =>
    send(gateway.url, {
      path: `/events/gcr/rules?token=${TOKEN}`,
      headers: { "content-type": "application/json" },
      body,
    });
  const pushOf = (repository: string, tag: string) => {
    const made = distribution.synthesize({ repository, tag }, TOKEN);
    return send(gateway.url, {
      path: "/events/distribution/rules",
      headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
      body: made.body,
    });
  };

  beforeEach(async () => {
    db = await openTestStore();
  });
  afterEach(async () => {
    await gateway.close();
    await db.close();
  });

  describe("signature, attestation and SBOM tags", () => {
    it("skips cosign's signature tag of the GCR fixture unless the subscription asks for it", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [] }]);
      const reply = await sendGcr(ownFixture("gcr", "cosign_signature_insert.json"));
      expect(reply.status).to.equal(200);
      expect(reply.json).to.deep.equal({ accepted: [], ignored: 1 });
      expect(await db.events()).to.deep.equal([]);

      project = {
        ...project,
        subscriptions: [{ registry: "gcr", repositories: [], tags: [], signatureTags: true }],
      };
      const taken = await sendGcr(ownFixture("gcr", "cosign_signature_insert.json"));
      expect(taken.status).to.equal(202);
      expect((await db.events()).map((e) => e.image?.tag)).to.deep.equal([
        "sha256-e5e6ab676ea98d35fa4d840f2d994a125e509219897c94a79b2dd31bce875c08.sig",
      ]);
    });
  });

  describe("tag policies", () => {
    it("stores a push only when its tag becomes the best tag, answering why not", async () => {
      await start([
        {
          registry: "distribution",
          repositories: [],
          tags: [],
          policy: {
            pattern: "^v(?P<ver>.*)-prod$",
            extract: "$ver",
            order: "semver",
            range: ">=1.0.0 <2.0.0",
          },
        },
      ]);
      expect((await pushOf("team/app", "v1.3.0-prod")).status).to.equal(202);
      const older = await pushOf("team/app", "v1.2.0-prod");
      expect(older.status).to.equal(200);
      expect(older.json).to.deep.equal({
        accepted: [],
        ignored: 1,
        declined: [
          {
            ref: "127.0.0.1:5000/team/app:v1.2.0-prod",
            reason: "v1.2.0-prod is older than the best tag v1.3.0-prod",
          },
        ],
      });
      expect((await pushOf("team/app", "v2.0.0-prod")).status, "outside the range").to.equal(200);
      expect((await pushOf("team/app", "v1.4.0-dev")).status, "not matching the pattern").to.equal(200);
      expect((await pushOf("team/app", "v1.4.0-prod")).status).to.equal(202);
      expect((await db.events()).map((e) => e.image?.tag)).to.deep.equal(["v1.3.0-prod", "v1.4.0-prod"]);
    });
  });

  describe("one push, one run across webhook and poll", () => {
    const both: Subscription[] = [
      { registry: "distribution", repositories: [], tags: [] },
      { registry: "poll", repositories: [], tags: [] },
    ];
    /** What the poller stores when it sees team/app:TAG at DIGEST on the registry the webhooks come from. */
    const polled = (tag: string, digest: string): NewImagePushEvent => ({
      project: "rules",
      source: "poll",
      type: "image_push" as const,
      image: {
        registry: "127.0.0.1:5000",
        repository: "team/app",
        tag,
        digest,
        ref: `127.0.0.1:5000/team/app:${tag}`,
      },
      payload: "{}",
      deliveryId: `poll-${tag}-${digest}`,
      admission: { always: true, policies: [], heardAndPolled: true },
    });
    /** A Distribution webhook for team/app:TAG at DIGEST. */
    const heard = (tag: string, digest: string) => {
      const made = distribution.synthesize({ repository: "team/app", tag }, TOKEN);
      const envelope = JSON.parse(made.body.toString()) as { events: { target: { digest: string } }[] };
      envelope.events[0]!.target.digest = digest;
      return send(gateway.url, {
        path: "/events/distribution/rules",
        headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.from(JSON.stringify(envelope)),
      });
    };

    it("a webhook of a push a poll already stored is its duplicate, and a poll of a heard one too", async () => {
      await start(both);
      const d1 = `sha256:${"1".repeat(64)}`;
      const [first] = (await db.store.acceptEvents([polled("v1", d1)])).accepted;
      const late = await heard("v1", d1);
      expect(late.status).to.equal(202);
      expect(late.json).to.deep.include({ accepted: [], duplicates: 1 });
      const d2 = `sha256:${"2".repeat(64)}`;
      const taken = await heard("v2", d2);
      expect(taken.json).to.deep.include({ duplicates: 0 });
      const seen = await db.store.acceptEvents([polled("v2", d2)]);
      expect(seen.accepted).to.deep.equal([]);
      expect(seen.duplicates.map((e) => e.image?.tag)).to.deep.equal(["v2"]);
      expect((await db.events()).map((e) => `${e.source} ${e.image?.tag}`)).to.deep.equal([
        "poll v1",
        "distribution v2",
      ]);
      expect((await db.store.listDeliveries({})).map((d) => [d.outcome, d.duplicateOf])).to.deep.equal([
        ["accepted", []],
        ["duplicate", [first!.id]],
      ]);
    });
  });

  describe("one push, one run", () => {
    const DIGEST = "sha256:87eba76e7f3164534045ba922e7770fb58bbd14ad732bbf5ba6f11cc56989e6e";
    const tagged = (tag: string, messageId: string) =>
      gcrEnvelope(
        {
          action: "INSERT",
          digest: `gcr.io/acme-prod/worker@${DIGEST}`,
          tag: `gcr.io/acme-prod/worker:${tag}`,
        },
        messageId,
      );

    it("a digest-only GCR INSERT waits, and is dropped when the same digest arrives tagged", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [] }]);
      expect((await sendGcr(ownFixture("gcr", "digest_only_insert.json"))).status).to.equal(202);
      expect(await claim(db), "held while its tagged push may follow").to.equal(undefined);
      expect((await sendGcr(tagged("v3.1.0", "7403931876443302"))).status).to.equal(202);
      expect((await db.events()).map((e) => e.image?.ref)).to.deep.equal(["gcr.io/acme-prod/worker:v3.1.0"]);
      expect((await claim(db))?.event.image?.tag).to.equal("v3.1.0");
      expect(await claim(db)).to.equal(undefined);
    });

    it("a digest-only GCR INSERT whose digest never arrives tagged runs once server.digestHold is over", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [] }], 1);
      const [id] = (
        (await sendGcr(ownFixture("gcr", "digest_only_insert.json"))).json as { accepted: string[] }
      ).accepted;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await claim(db))?.event.id).to.equal(id);
    });

    it("a digest-only GCR INSERT after its tagged one is answered as declined, not stored", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [] }]);
      await sendGcr(tagged("v3.1.0", "7403931876443302"));
      const late = await sendGcr(ownFixture("gcr", "digest_only_insert.json"));
      expect(late.status).to.equal(200);
      expect(late.json).to.deep.equal({
        accepted: [],
        ignored: 1,
        declined: [
          {
            ref: `gcr.io/acme-prod/worker@${DIGEST}`,
            reason: `gcr.io/acme-prod/worker@${DIGEST} is the push already accepted as gcr.io/acme-prod/worker:v3.1.0`,
          },
        ],
      });
      expect(await db.events()).to.have.length(1);
    });

    it("runPer: digest runs latest and v1.2.3 of one digest once, with both tags", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [], runPer: "digest", windowMs: 60_000 }]);
      const first = await sendGcr(tagged("latest", "1"));
      expect(first.status).to.equal(202);
      const second = await sendGcr(tagged("v1.2.3", "2"));
      expect(second.status).to.equal(202);
      const [event] = (first.json as { accepted: string[] }).accepted;
      expect(second.json).to.deep.equal({ accepted: [], merged: [event], duplicates: 0, ignored: 0 });
      const stored = await db.store.getEvent(event!);
      expect(stored?.image?.tags).to.deep.equal(["latest", "v1.2.3"]);
      expect(await claim(db), "gathering until its window ends").to.equal(undefined);
    });

    it("by default runs each pushed tag of a digest on its own, as Brigade does", async () => {
      await start([{ registry: "gcr", repositories: [], tags: [] }]);
      await sendGcr(tagged("latest", "1"));
      await sendGcr(tagged("v1.2.3", "2"));
      expect((await db.events()).map((e) => e.image?.tag)).to.deep.equal(["latest", "v1.2.3"]);
    });
  });
});
