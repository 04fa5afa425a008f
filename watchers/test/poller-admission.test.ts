import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type ImagePushEvent, type ServerConfig } from "@bosun/core";
import { openSqliteStore, type Store, type StoredEvent } from "@bosun/store";
import { startRegistry, type TestRegistry } from "@bosun/test-support";
import { Poller, type PollOutcome, type ScanResult } from "../src/index.js";
import { pushAnnotated } from "./support/manifests.js";

function scans(outcomes: PollOutcome[]): ScanResult[] {
  for (const o of outcomes) if ("error" in o) throw o.error;
  return outcomes as ScanResult[];
}

describe("poller: polled pushes go through the store's accept-time rules", function () {
  this.timeout(60_000);
  let registry: TestRegistry;
  let dataDir: string;
  let store: Store;
  let poller: Poller;
  let seen = new Set<string>();

  /** The events stored since the last call, as "project tag(s)", runnable ones only (no merged pushes). */
  async function fired(): Promise<string[]> {
    const all = (await store.listEvents({ limit: 1000 })) as (StoredEvent & ImagePushEvent)[];
    const fresh = all.filter((e) => !seen.has(e.id) && e.state !== "done");
    seen = new Set(all.map((e) => e.id));
    return fresh.map((e) => `${e.project} ${(e.image.tags ?? [e.image.tag]).join("+")}`).sort();
  }

  before(async function () {
    registry = await startRegistry();
    dataDir = await mkdtemp(join(tmpdir(), "bosun-poll-admission-"));
    store = await openSqliteStore({ dataDir });
    const parsed = parseConfig(
      [
        "registries:",
        `  - { name: local, address: "${registry.host}", insecure: true, repositories: [team/app], interval: 1h, jitter: 0s }`,
        "projects:",
        "  - name: releases",
        "    script: ./a.js",
        "    subscriptions: [{ registry: poll, policy: { pattern: '^v(?P<ver>.*)$', extract: '$ver', order: semver, range: '<2.0.0' } }]",
        "  - name: builds",
        "    script: ./a.js",
        "    subscriptions: [{ registry: poll, tags: ['build-*'], runPer: digest, window: 1h }]",
      ].join("\n"),
      { file: "/srv/bosun/bosun.yaml" },
    );
    expect(parsed.errors).to.equal(undefined);
    const config: ServerConfig = parsed.value!;
    poller = new Poller({ store, accounts: config.registries!, projects: () => config.projects, owner: "p" });
  });
  after(async function () {
    await poller?.stop();
    await store?.close();
    await registry?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("fires for a tag policy's best tag, never for an older one, and gathers a digest's tags", async function () {
    await registry.push("team/app", "v1.0.0");
    scans(await poller.pollNow());
    expect(await fired(), "a first scan fires nothing").to.deep.equal([]);

    // Three releases at once: the best one fires; v2.0.0 is outside the range.
    await pushAnnotated(registry, "team/app", "v1.0.0", "v1.1.0", "1.1");
    await pushAnnotated(registry, "team/app", "v1.0.0", "v1.3.0", "1.3");
    await pushAnnotated(registry, "team/app", "v1.0.0", "v1.2.0", "1.2");
    await pushAnnotated(registry, "team/app", "v1.0.0", "v2.0.0", "2.0");
    scans(await poller.pollNow());
    expect(await fired()).to.deep.equal(["releases v1.3.0"]);

    // An older release later: the store's best tag is v1.3.0, so nothing runs.
    await pushAnnotated(registry, "team/app", "v1.0.0", "v1.2.5", "1.2.5");
    const [older] = scans(await poller.pollNow());
    expect(older!.changed.map((c) => c.tag)).to.deep.equal(["v1.2.5"]);
    expect(older!.fired).to.equal(0);
    expect(await fired()).to.deep.equal([]);

    await pushAnnotated(registry, "team/app", "v1.0.0", "v1.4.0", "1.4");
    // Two build tags of one digest: one event with both, held for its window.
    await pushAnnotated(registry, "team/app", "v1.0.0", "build-1", "b");
    await pushAnnotated(registry, "team/app", "v1.0.0", "build-2", "b");
    scans(await poller.pollNow());
    expect(await fired()).to.deep.equal(["builds build-1+build-2", "releases v1.4.0"]);
  });
});
