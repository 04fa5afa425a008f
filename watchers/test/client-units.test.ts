import { expect } from "chai";
import { Authorizer } from "../src/client/auth.js";
import {
  eventsOfScan,
  isArtifactTag,
  nextPage,
  parseChallenges,
  platformEntry,
  pollDeliveryId,
  RequestGate,
  retryAfterMs,
} from "../src/index.js";
import { parseConfig } from "@bosun/core";
import { startTokenServer } from "./support/token-server.js";

describe("watchers: the client's pieces", function () {
  it("parses WWW-Authenticate challenges as registries send them", function () {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"',
      ),
    ).to.deep.equal([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/redis:pull",
        },
      },
    ]);
    expect(parseChallenges('Basic realm="Registry Realm"')).to.deep.equal([
      { scheme: "basic", params: { realm: "Registry Realm" } },
    ]);
    // Several challenges, token values, an escaped quote, names in any case.
    expect(parseChallenges('Basic Realm=x, Bearer realm="a\\"b", error=invalid_token')).to.deep.equal([
      { scheme: "basic", params: { realm: "x" } },
      { scheme: "bearer", params: { realm: 'a"b', error: "invalid_token" } },
    ]);
    expect(parseChallenges(null)).to.deep.equal([]);
  });

  it("follows Link rel=next, relative or absolute, and nothing else", function () {
    const base = "https://r.example.com/v2/a/tags/list?n=2";
    expect(nextPage('</v2/a/tags/list?n=2&last=v2>; rel="next"', base)?.href).to.equal(
      "https://r.example.com/v2/a/tags/list?n=2&last=v2",
    );
    expect(nextPage("<https://r.example.com/x?last=b>; rel=next", base)?.href).to.equal(
      "https://r.example.com/x?last=b",
    );
    expect(nextPage('</first>; rel="first", </next>; rel="prev next"', base)?.pathname).to.equal("/next");
    expect(nextPage('</prev>; rel="prev"', base)).to.equal(undefined);
    expect(nextPage(null, base)).to.equal(undefined);
  });

  it("reads Retry-After as seconds or an HTTP date", function () {
    expect(retryAfterMs("7")).to.equal(7000);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 30_000)).to.equal(30_000);
    expect(retryAfterMs(null)).to.equal(undefined);
    expect(retryAfterMs("soon")).to.equal(undefined);
  });

  it("the gate spends a budget per second and holds every request after a 429", async function () {
    let clock = 0;
    const waits: number[] = [];
    const gate = new RequestGate({
      perSecond: 2,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    await gate.take();
    await gate.take();
    expect(waits).to.deep.equal([]);
    await gate.take();
    expect(waits).to.deep.equal([500]);
    expect(gate.limited(undefined)).to.equal(1000);
    expect(gate.limited(undefined)).to.equal(2000);
    gate.answered();
    expect(gate.limited(undefined)).to.equal(1000);
    gate.limited(9000);
    waits.length = 0;
    await gate.take();
    expect(waits[0]).to.equal(9000);
  });

  it("picks the configured platform's entry of a manifest list", function () {
    const list = {
      manifests: [
        {
          digest: "sha256:arm",
          mediaType: "m",
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
        { digest: "sha256:amd", mediaType: "m", platform: { os: "linux", architecture: "amd64" } },
        { digest: "sha256:att", mediaType: "m", platform: { os: "unknown", architecture: "unknown" } },
      ],
    };
    expect(platformEntry(list, { os: "linux", architecture: "amd64" })).to.deep.equal({
      digest: "sha256:amd",
      mediaType: "m",
    });
    expect(platformEntry(list, { os: "linux", architecture: "arm64", variant: "v8" })?.digest).to.equal(
      "sha256:arm",
    );
    expect(platformEntry(list, { os: "linux", architecture: "arm64", variant: "v7" })).to.equal(undefined);
    expect(platformEntry({}, { os: "linux", architecture: "amd64" })).to.equal(undefined);
  });

  it("keeps a token per scope until shortly before it expires, then asks again", async function () {
    const tokens = await startTokenServer([{ username: "u", password: "p" }]);
    try {
      let clock = 1_000_000;
      const auth = new Authorizer(
        async () => ({ username: "u", password: "p" }),
        fetch,
        () => clock,
      );
      const challenge = parseChallenges(
        `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:a:pull"`,
      );
      const header = await auth.answer(challenge, "repository:a:pull", "r.example.com");
      expect(header).to.match(/^Bearer /);
      expect(auth.header("repository:a:pull")).to.equal(header);
      expect(auth.header("repository:b:pull")).to.equal(undefined);
      // expires_in 300: kept for nine tenths of it.
      clock += 269_000;
      expect(auth.header("repository:a:pull")).to.equal(header);
      clock += 2_000;
      expect(auth.header("repository:a:pull")).to.equal(undefined);
      expect(tokens.requests).to.deep.equal([
        { username: "u", scope: ["repository:a:pull"], service: tokens.service },
      ]);
    } finally {
      await tokens.stop();
    }
  });

  it("says why a token service refuses the login", async function () {
    const tokens = await startTokenServer([{ username: "u", password: "p" }]);
    try {
      const auth = new Authorizer(async () => ({ username: "u", password: "wrong" }), fetch);
      const err = await auth
        .answer(parseChallenges(`Bearer realm="${tokens.realm}"`), "repository:a:pull", "r.example.com")
        .catch((e: unknown) => e);
      expect(err).to.have.property("code", "REGISTRY_LOGIN_FAILED");
      expect(String((err as Error).message)).to.not.contain("wrong");
    } finally {
      await tokens.stop();
    }
  });
});

describe("watchers: changes as events", function () {
  const config = parseConfig(
    [
      "registries:",
      "  - { name: internal, address: r.example.com, repositories: [team/app] }",
      "  - { name: other, address: o.example.com, repositories: [team/app] }",
      "projects:",
      "  - { name: all, script: ./a.js, subscriptions: [{ registry: poll }] }",
      "  - { name: releases, script: ./a.js, subscriptions: [{ registry: poll, accounts: [internal], tags: ['v*'], fireOnFirstScan: true }] }",
      "  - { name: hub, script: ./a.js, subscriptions: [{ registry: dockerhub }] }",
    ].join("\n"),
    { file: "/srv/bosun/bosun.yaml" },
  ).value!;
  const [internal, other] = config.registries!;
  const changes = [
    { tag: "v1", digest: "sha256:1", previous: "sha256:0" },
    { tag: "latest", digest: "sha256:1" },
  ];

  it("matches each change against the projects' poll subscriptions, with a webhook's image fields", function () {
    const events = eventsOfScan({
      account: internal!,
      repository: "team/app",
      changes,
      recorded: 3,
      firstScan: false,
      projects: config.projects,
    });
    expect(events.map((e) => `${e.project} ${e.image.tag}`)).to.deep.equal([
      "all v1",
      "all latest",
      "releases v1",
    ]);
    expect(events[0]).to.deep.include({
      source: "poll",
      type: "image_push",
      image: {
        registry: "r.example.com",
        repository: "team/app",
        tag: "v1",
        digest: "sha256:1",
        ref: "r.example.com/team/app:v1",
      },
    });
    expect(JSON.parse(events[0]!.payload)).to.deep.equal({
      account: "internal",
      registry: "r.example.com",
      repository: "team/app",
      tag: "v1",
      digest: "sha256:1",
      previousDigest: "sha256:0",
      firstScan: false,
    });
    // Another account: the subscription naming internal does not take it.
    const others = eventsOfScan({
      account: other!,
      repository: "team/app",
      changes,
      recorded: 3,
      firstScan: false,
      projects: config.projects,
    });
    expect(others.map((e) => e.project)).to.deep.equal(["all", "all"]);
  });

  it("gives each event its admission: tag policies and runPer: digest apply as to a webhook's push", function () {
    const policed = parseConfig(
      [
        "registries:",
        "  - { name: internal, address: r.example.com, repositories: [team/app] }",
        "projects:",
        "  - name: semver",
        "    script: ./a.js",
        "    subscriptions: [{ registry: poll, policy: { order: semver, range: '>=1.0.0 <2.0.0' } }]",
        "  - name: builds",
        "    script: ./a.js",
        "    subscriptions:",
        "      - { registry: poll, policy: { pattern: '^main-(?P<ts>[0-9]+)$', extract: '$ts', order: numerical } }",
        "  - name: dates",
        "    script: ./a.js",
        "    subscriptions: [{ registry: poll, policy: { pattern: '^RELEASE\\.', order: alphabetical } }]",
        "  - { name: gather, script: ./a.js, subscriptions: [{ registry: poll, runPer: digest, window: 30s }] }",
      ].join("\n"),
      { file: "/srv/bosun/bosun.yaml" },
    );
    expect(policed.errors).to.equal(undefined);
    const scanned = [
      { tag: "v1.1.0", digest: "sha256:1" },
      { tag: "v1.3.0", digest: "sha256:3" },
      { tag: "v2.0.0", digest: "sha256:4" },
      { tag: "v1.2.0", digest: "sha256:2" },
      { tag: "main-100", digest: "sha256:5" },
      { tag: "main-99", digest: "sha256:6" },
      { tag: "RELEASE.2024-06-03", digest: "sha256:7" },
      { tag: "RELEASE.2024-05-01", digest: "sha256:8" },
    ];
    const events = eventsOfScan({
      account: policed.value!.registries![0]!,
      repository: "team/app",
      changes: scanned,
      recorded: 1,
      firstScan: false,
      projects: policed.value!.projects,
    });
    // Of one scan's changes, each policy's best fires: its range and order decide, v2.0.0 is outside.
    expect(events.map((e) => `${e.project} ${e.image.tag}`)).to.deep.equal([
      "semver v1.3.0",
      "builds main-100",
      "dates RELEASE.2024-06-03",
      ...scanned.map((c) => `gather ${c.tag}`),
    ]);
    const semver = events[0]!.admission!;
    expect(semver.always).to.equal(false);
    expect(semver.policies).to.have.length(1);
    expect(semver.policies[0]!.policy.policy).to.include({ order: "semver", range: ">=1.0.0 <2.0.0" });
    const gathered = events.find((e) => e.project === "gather")!.admission!;
    expect(gathered).to.deep.equal({ always: true, policies: [], gatherMs: 30_000 });
  });

  it("on a first scan, only subscriptions with fireOnFirstScan take the tags", function () {
    const events = eventsOfScan({
      account: internal!,
      repository: "team/app",
      changes,
      recorded: 0,
      firstScan: true,
      projects: config.projects,
    });
    expect(events.map((e) => `${e.project} ${e.image.tag}`)).to.deep.equal(["releases v1"]);
  });

  it("derives delivery ids from the observation and the recordings before it", function () {
    const change = { tag: "v1", digest: "sha256:1" };
    const id = pollDeliveryId("internal", "team/app", change, 3);
    expect(pollDeliveryId("internal", "team/app", { ...change }, 3)).to.equal(id);
    expect(pollDeliveryId("internal", "team/app", change, 4)).to.not.equal(id);
    expect(pollDeliveryId("other", "team/app", change, 3)).to.not.equal(id);
    expect(pollDeliveryId("internal", "team/app", { ...change, digest: "sha256:2" }, 3)).to.not.equal(id);
  });

  it("knows cosign's signature, attestation and SBOM tags", function () {
    const hex = "a".repeat(64);
    for (const suffix of ["sig", "att", "sbom"])
      expect(isArtifactTag(`sha256-${hex}.${suffix}`)).to.equal(true);
    expect(isArtifactTag(`sha256-${hex}`)).to.equal(false);
    expect(isArtifactTag("v1.sig")).to.equal(false);
  });
});
