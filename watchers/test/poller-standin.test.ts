import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type ImagePushEvent, type ServerConfig } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { Poller, type PollOutcome, type ScanResult } from "../src/index.js";
import { startStandin, type Standin } from "./support/registry-standin.js";

const LOGIN = { username: "watcher", password: "standin-secret" };

function scans(outcomes: PollOutcome[]): ScanResult[] {
  for (const o of outcomes) if ("error" in o) throw o.error;
  return outcomes as ScanResult[];
}

describe("poller: a registry stand-in's 429s, pages and manifest lists", function () {
  let standin: Standin;
  let dataDir: string;
  let store: Store;
  let config: ServerConfig;
  let poller: Poller;
  /** A clock the gate sleeps on, so waits are counted, not waited. */
  let clock: number;
  let waits: number[];
  let sent: { path: string; at: number; afterLimit: boolean }[];
  let limitedAt: number | undefined;

  beforeEach(async function () {
    standin = await startStandin(LOGIN);
    dataDir = await mkdtemp(join(tmpdir(), "bosun-standin-"));
    store = await openSqliteStore({ dataDir });
    const r = parseConfig(
      [
        "registries:",
        `  - { name: standin, address: "${standin.host}", insecure: true, repositories: [team/a, team/b], username: ${LOGIN.username}, password: ${LOGIN.password}, jitter: 0s }`,
        "projects:",
        "  - { name: deploy, script: ./a.js, subscriptions: [{ registry: poll }] }",
      ].join("\n"),
      { file: "/srv/bosun/bosun.yaml" },
    );
    config = r.value!;
    clock = 1_000_000;
    waits = [];
    sent = [];
    limitedAt = undefined;
    poller = new Poller({
      store,
      accounts: config.registries!,
      projects: () => config.projects,
      gate: {
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
      fetch: async (input, init) => {
        sent.push({ path: new URL(String(input)).pathname, at: clock, afterLimit: limitedAt !== undefined });
        const res = await fetch(input, init);
        if (res.status === 429) limitedAt ??= clock;
        return res;
      },
    });
  });

  afterEach(async function () {
    await poller.stop();
    await store.close();
    await standin.stop();
    await rm(dataDir, { recursive: true, force: true });
    expect(standin.unexpected, "requests the stand-in did not expect").to.deep.equal([]);
  });

  it("a 429's Retry-After holds back every repository of the registry, then the scan goes on", async function () {
    standin.image("team/a", "v1", "a1");
    standin.image("team/b", "v1", "b1");
    standin.limit("/v2/team/a/tags/list", 1, "7");
    const results = scans(
      (
        await Promise.all([
          poller.pollNow({ account: "standin", repository: "team/a" }),
          poller.pollNow({ account: "standin", repository: "team/b" }),
        ])
      ).flat(),
    );
    expect(results.map((r) => [r.repository, r.tags])).to.deep.equal([
      ["team/a", 1],
      ["team/b", 1],
    ]);
    expect(waits).to.include(7000);
    const later = sent.filter((s) => s.afterLimit);
    expect(later.map((s) => s.path)).to.include.members(["/v2/team/a/tags/list"]);
    expect(
      later.every((s) => s.at >= limitedAt! + 7000),
      "nothing sent during the hold",
    ).to.equal(true);
  });

  it("without Retry-After waits double; past its retries a scan fails REGISTRY_RATE_LIMITED", async function () {
    standin.image("team/a", "v1", "a1");
    standin.limit("/v2/team/a/tags/list", 2);
    scans(await poller.pollNow({ account: "standin", repository: "team/a" }));
    expect(waits.filter((w) => w >= 1000)).to.deep.equal([1000, 2000]);
    standin.limit("/v2/team/a/tags/list", 10, "1");
    const [failed] = await poller.pollNow({ account: "standin", repository: "team/a" });
    expect(failed).to.have.nested.property("error.code", "REGISTRY_RATE_LIMITED");
  });

  it("reads every page of a registry that caps them, following Link", async function () {
    for (const tag of ["v1", "v2", "v3", "v4", "v5"]) standin.image("team/a", tag, `a-${tag}`);
    const [scan] = scans(await poller.pollNow({ account: "standin", repository: "team/a" }));
    expect(scan!.tags).to.equal(5);
    const pages = standin.requests.filter((r) => r.path === "/v2/team/a/tags/list" && r.authorized);
    expect(pages.map((p) => p.query["last"])).to.deep.equal([undefined, "v2", "v4"]);
  });

  it("never reads, records or fires for signature, attestation and SBOM tags", async function () {
    standin.image("team/a", "v1", "a1");
    const sig = `sha256-${"b".repeat(64)}.sig`;
    standin.image("team/a", sig, "signature");
    standin.image("team/a", `sha256-${"b".repeat(64)}.att`, "attestation");
    const [scan] = scans(await poller.pollNow({ account: "standin", repository: "team/a" }));
    expect(scan!.tags).to.equal(1);
    expect(standin.requests.filter((r) => r.path.includes("/manifests/")).map((r) => r.path)).to.deep.equal([
      "/v2/team/a/manifests/v1",
    ]);
    expect([...(await store.watches.known("standin", "team/a"))!.tags.keys()]).to.deep.equal(["v1"]);
  });

  it("on its timers, scans every repository the catalog lists, each within its jitter", async function () {
    standin.image("lib/x", "v1", "x1");
    standin.image("lib/y", "v1", "y1");
    standin.image("lib/z", "v1", "z1");
    const r = parseConfig(
      [
        "registries:",
        `  - { name: cat, address: "${standin.host}", insecure: true, catalog: true, username: ${LOGIN.username}, password: ${LOGIN.password}, jitter: 0s }`,
      ].join("\n"),
      { file: "/srv/bosun/bosun.yaml" },
    );
    const seen: string[] = [];
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const timed = new Poller({
      store,
      accounts: r.value!.registries!,
      projects: () => [],
      onScan: (result) => {
        seen.push(result.repository);
        if (seen.length === 3) done();
      },
    });
    timed.start();
    await all;
    await timed.stop();
    expect(seen.sort()).to.deep.equal(["lib/x", "lib/y", "lib/z"]);
    // Stopped: its leases are given up for another process to take at once.
    expect((await store.watches.list("cat")).map((w) => w.leaseOwner)).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("fires for a manifest list when its platform's image changes, not for another platform", async function () {
    standin.list("team/a", "multi", { "linux/amd64": "amd64-1", "linux/arm64/v8": "arm64-1" });
    expect(scans(await poller.pollNow({ account: "standin", repository: "team/a" }))[0]).to.include({
      firstScan: true,
      fired: 0,
    });

    // Rebuilt for arm64 only: a new list, the same amd64 image.
    standin.list("team/a", "multi", { "linux/amd64": "amd64-1", "linux/arm64/v8": "arm64-2" });
    expect(scans(await poller.pollNow({ account: "standin", repository: "team/a" }))[0]).to.include({
      fired: 0,
    });

    const rebuilt = standin.list("team/a", "multi", {
      "linux/amd64": "amd64-2",
      "linux/arm64/v8": "arm64-2",
    });
    const [scan] = scans(await poller.pollNow({ account: "standin", repository: "team/a" }));
    expect(scan!.fired).to.equal(1);
    const [event] = (await store.listEvents({ project: "deploy" })) as ImagePushEvent[];
    expect(event!.image).to.include({ tag: "multi", digest: rebuilt.platforms["linux/amd64"] });
    expect(JSON.parse(event!.payload)).to.include({ listDigest: rebuilt.list });

    // Unchanged: a HEAD, and the list is not read again.
    const before = standin.requests.length;
    scans(await poller.pollNow({ account: "standin", repository: "team/a" }));
    const manifestRequests = standin.requests.slice(before).filter((r) => r.path.includes("/manifests/"));
    expect(manifestRequests.map((r) => r.method)).to.deep.equal(["HEAD"]);
  });
});
