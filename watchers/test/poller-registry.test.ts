import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type ImagePushEvent, type ServerConfig } from "@bosun/core";
import { openSqliteStore, type Store, type StoredEvent } from "@bosun/store";
import { startRegistry, type TestRegistry } from "@bosun/test-support";
import { Poller, type PollOutcome, type ScanResult } from "../src/index.js";
import { pushAnnotated } from "./support/manifests.js";
import { startRegistryTrusting, startTokenServer } from "./support/token-server.js";

const ALICE = { username: "alice", password: "alice-secret" };
const BOB = { username: "bob", password: "bob-secret" };

function config(a: TestRegistry, b: TestRegistry): ServerConfig {
  const r = parseConfig(
    [
      "registries:",
      `  - { name: first, address: "${a.host}", insecure: true, repositories: [team/app], username: alice, password: alice-secret, interval: 1h, jitter: 0s }`,
      `  - { name: second, address: "${b.host}", insecure: true, catalog: true, username: bob, password: bob-secret, interval: 1h, jitter: 0s }`,
      "projects:",
      "  - name: deploy",
      "    script: ./a.js",
      "    subscriptions:",
      "      - { registry: poll, accounts: [first] }",
      "  - name: mirror",
      "    script: ./a.js",
      "    subscriptions:",
      "      - { registry: poll, accounts: [second], fireOnFirstScan: true }",
      "  - name: releases",
      "    script: ./a.js",
      "    subscriptions:",
      "      - { registry: poll, tags: ['v*'] }",
    ].join("\n"),
    { file: "/srv/bosun/bosun.yaml" },
  );
  expect(r.errors).to.equal(undefined);
  return r.value!;
}

function scans(outcomes: PollOutcome[]): ScanResult[] {
  for (const o of outcomes) if ("error" in o) throw o.error;
  return outcomes as ScanResult[];
}

const pushes = (events: StoredEvent[]) =>
  (events as (StoredEvent & ImagePushEvent)[])
    .map((e) => `${e.project} ${e.image.repository}:${e.image.tag} ${e.image.digest}`)
    .sort();

type Started = { registry: TestRegistry; stop?: () => Promise<void> };

/** The poller's whole story, against a first registry logged in to as `start` sets it up. */
function pollerSuite(title: string, start: () => Promise<Started>) {
  describe(`poller: real registries, pushed to with skopeo (${title})`, function () {
    this.timeout(60_000);
    let first: TestRegistry;
    let stopFirst: (() => Promise<void>) | undefined;
    let second: TestRegistry;
    let dataDir: string;
    let store: Store;
    let cfg: ServerConfig;
    const pollers: Poller[] = [];

    const poller = (owner = "p1") => {
      const p = new Poller({ store, accounts: cfg.registries!, projects: () => cfg.projects, owner });
      pollers.push(p);
      return p;
    };

    /** Events stored since the last call. */
    let seen = new Set<string>();
    async function newEvents(): Promise<StoredEvent[]> {
      const all = await store.listEvents({ limit: 1000 });
      const fresh = all.filter((e) => !seen.has(e.id));
      seen = new Set(all.map((e) => e.id));
      return fresh;
    }

    before(async function () {
      ({ registry: first, stop: stopFirst } = await start());
      second = await startRegistry({ auth: { users: [BOB] } });
      cfg = config(first, second);
    });
    after(async function () {
      await first?.stop();
      await stopFirst?.();
      await second?.stop();
    });
    beforeEach(async function () {
      dataDir = await mkdtemp(join(tmpdir(), "bosun-poll-"));
      store = await openSqliteStore({ dataDir });
      seen = new Set();
    });
    afterEach(async function () {
      for (const p of pollers.splice(0)) await p.stop();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("records the first scan without firing, then fires for a new tag and a moved one, and forgets a deleted one", async function () {
      const v1 = await first.push("team/app", "v1");
      const p = poller();
      const [firstScan] = scans(await p.pollNow({ account: "first" }));
      expect(firstScan).to.include({ firstScan: true, tags: 1, fired: 0 });
      expect(await newEvents()).to.deep.equal([]);

      const v2 = await first.push("team/app", "v2", { format: "v2s2" });
      const [added] = scans(await p.pollNow({ account: "first" }));
      expect(added).to.include({ firstScan: false, tags: 2, fired: 2 });
      expect(pushes(await newEvents())).to.deep.equal([
        `deploy team/app:v2 ${v2.digest}`,
        `releases team/app:v2 ${v2.digest}`,
      ]);

      // v1 moves to an image of its own; v2 is deleted.
      const moved = { digest: await pushAnnotated(first, "team/app", "v1", "v1", "moved") };
      expect(moved.digest).to.not.equal(v1.digest);
      await first.deleteTag("team/app", "v2");
      const [changed] = scans(await p.pollNow({ account: "first" }));
      expect(changed!.deleted).to.deep.equal(["v2"]);
      expect(changed!.changed).to.deep.equal([
        {
          tag: "v1",
          digest: moved.digest,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          previous: v1.digest,
        },
      ]);
      const events = (await newEvents()) as (StoredEvent & ImagePushEvent)[];
      expect(pushes(events)).to.deep.equal([
        `deploy team/app:v1 ${moved.digest}`,
        `releases team/app:v1 ${moved.digest}`,
      ]);
      // The same image fields as a webhook's, source poll.
      expect(events[0]).to.deep.include({ source: "poll", type: "image_push" });
      expect(events[0]!.image).to.deep.equal({
        registry: first.host,
        repository: "team/app",
        tag: "v1",
        digest: moved.digest,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        ref: `${first.host}/team/app:v1`,
      });
      expect(JSON.parse(events[0]!.payload)).to.include({ account: "first", previousDigest: v1.digest });

      // Nothing changed: nothing fires. v2 pushed again with its old digest fires again.
      expect(scans(await p.pollNow({ account: "first" }))[0]).to.include({ fired: 0, duplicates: 0 });
      await first.push("team/app", "v2", { format: "v2s2" });
      expect(scans(await p.pollNow({ account: "first" }))[0]).to.include({ fired: 2 });
      expect(pushes(await newEvents())).to.deep.equal([
        `deploy team/app:v2 ${v2.digest}`,
        `releases team/app:v2 ${v2.digest}`,
      ]);
      await first.deleteTag("team/app", "v1");
    });

    it("across a restart fires nothing twice and misses nothing pushed while it was down", async function () {
      await second.push("lib/a", "v1");
      await poller().pollNow({ account: "second" });
      // fireOnFirstScan: the mirror project takes the first scan's tags; releases does not.
      expect(pushes(await newEvents())).to.deep.equal([
        `mirror lib/a:v1 ${(await second.push("lib/a", "v1")).digest}`,
      ]);
      for (const p of pollers.splice(0)) await p.stop();
      await store.close();

      const later = await second.push("lib/a", "v3", { format: "v2s2" });
      const other = await second.push("lib/b", "v1");
      store = await openSqliteStore({ dataDir });
      const results = scans(await poller("p2").pollNow({ account: "second" }));
      expect(results.map((r) => [r.repository, r.firstScan, r.fired])).to.deep.equal([
        ["lib/a", false, 2],
        ["lib/b", true, 1],
      ]);
      expect(pushes(await newEvents())).to.deep.equal([
        `mirror lib/a:v3 ${later.digest}`,
        `mirror lib/b:v1 ${other.digest}`,
        `releases lib/a:v3 ${later.digest}`,
      ]);
      expect(scans(await pollers[0]!.pollNow()).every((r) => r.fired === 0)).to.equal(true);
      expect(await newEvents()).to.deep.equal([]);
    });

    it("an observation stored but not recorded (a crash between) is a duplicate when seen again", async function () {
      await first.push("team/app", "v1");
      const p = poller();
      await p.pollNow({ account: "first" });
      const again = await first.push("team/app", "v7", { format: "v2s2" });
      const record = store.watches.record;
      store.watches.record = async () => {
        throw new Error("the process died here");
      };
      expect((await p.pollNow({ account: "first" }))[0]).to.have.property("error");
      store.watches.record = record;
      expect(pushes(await newEvents())).to.deep.equal([
        `deploy team/app:v7 ${again.digest}`,
        `releases team/app:v7 ${again.digest}`,
      ]);
      expect(scans(await p.pollNow({ account: "first" }))[0]).to.include({ fired: 0, duplicates: 2 });
      expect(await newEvents()).to.deep.equal([]);
      await first.deleteTag("team/app", "v7");
    });

    it("polls two registries with their own accounts apart, and one process at a time scans a repository", async function () {
      await first.push("team/app", "v1");
      await second.push("lib/c", "v1");
      const one = poller("p1");
      const two = poller("p2");
      const results = scans(await one.pollNow());
      expect(results.map((r) => `${r.account} ${r.repository}`)).to.include.members([
        "first team/app",
        "second lib/c",
      ]);
      // p1 holds the leases: p2 leaves every repository to it.
      expect(scans(await two.pollNow()).every((r) => r.leased === true)).to.equal(true);
      await one.stop();
      expect(scans(await two.pollNow()).some((r) => r.leased)).to.equal(false);
      const listed = await store.watches.list();
      expect(listed.find((w) => w.repository === "team/app")).to.include({
        account: "first",
        leaseOwner: "p2",
      });
      expect(listed.find((w) => w.repository === "lib/c")).to.include({
        account: "second",
        leaseOwner: "p2",
      });
    });
  });
}

pollerSuite("htpasswd Basic", async () => ({ registry: await startRegistry({ auth: { users: [ALICE] } }) }));

pollerSuite("token auth, the Bearer challenge", async () => {
  const tokens = await startTokenServer([ALICE]);
  const registry = await startRegistryTrusting(tokens, [ALICE]);
  return { registry, stop: () => tokens.stop() };
});
