import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSubscription, parseConfig, subscriptionAccepts, type Problem } from "../src/index.js";

const FILE = "/srv/bosun/bosun.yaml";

const PROJECT = [
  "projects:",
  "  - name: webapp",
  "    script: ./a.js",
  "    subscriptions:",
  "      - registry: poll",
  "        accounts: [internal]",
  "        fireOnFirstScan: true",
];

function parse(registries: string[], env: Record<string, string> = {}, project = PROJECT) {
  return parseConfig(["registries:", ...registries, ...project].join("\n"), { file: FILE, env });
}

function only(errors: Problem[] | undefined): Problem {
  expect(errors, "one problem").to.have.length(1);
  return errors![0]!;
}

describe("config: watched registries", () => {
  it("resolves an account with defaults: jitter a tenth of the interval, linux/amd64", () => {
    const r = parse(
      [
        "  - name: internal",
        "    address: registry.example.com:5000",
        "    repositories: [team/app, team/api]",
        "    username: bosun",
        "    password: ${env:REG_PASSWORD}",
        "    interval: 2m",
      ],
      { REG_PASSWORD: "s3cret" },
    );
    expect(r.errors).to.equal(undefined);
    expect(r.value!.registries).to.deep.equal([
      {
        name: "internal",
        address: "registry.example.com:5000",
        repositories: ["team/app", "team/api"],
        catalog: false,
        credentials: { username: "bosun", password: "s3cret" },
        insecure: false,
        intervalMs: 120_000,
        jitterMs: 12_000,
        platform: { os: "linux", architecture: "amd64" },
      },
    ]);
    expect(r.value!.projects[0]!.subscriptions[0]).to.deep.equal({
      registry: "poll",
      repositories: [],
      tags: [],
      accounts: ["internal"],
      fireOnFirstScan: true,
    });
  });

  it("takes a catalog, a password file (resolved against the config), a stored login, a platform", () => {
    const r = parse([
      "  - { name: internal, address: 127.0.0.1:5000, catalog: true, insecure: true, platform: linux/arm64/v8, jitter: 0s }",
      "  - { name: ecr, address: 1234.dkr.ecr.eu-west-1.amazonaws.com, repositories: [app], username: AWS, passwordFile: ./ecr-token }",
      "  - { name: hub, address: docker.io, repositories: [library/redis], login: webapp }",
    ]);
    expect(r.errors).to.equal(undefined);
    const [internal, ecr, hub] = r.value!.registries!;
    expect(internal).to.include({ catalog: true, insecure: true, jitterMs: 0 });
    expect(internal!.platform).to.deep.equal({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(internal!.credentials).to.equal(undefined);
    expect(ecr!.credentials).to.deep.equal({ username: "AWS", passwordFile: "/srv/bosun/ecr-token" });
    expect(hub!.credentials).to.deep.equal({ login: "webapp" });
  });

  it("refuses neither repositories nor catalog, and both", () => {
    const neither = only(parse(["  - { name: internal, address: r.example.com }"]).errors);
    expect(neither).to.include({ path: "registries[0].repositories", message: "no repositories to watch" });
    expect(neither.expected).to.match(/catalog: true/);
    const both = only(
      parse(["  - { name: internal, address: r.example.com, repositories: [a], catalog: true }"]).errors,
    );
    expect(both).to.include({
      path: "registries[0].catalog",
      message: "repositories and catalog are both set",
    });
  });

  it("refuses a password without a username, both password kinds, and a login beside a username", () => {
    const noUser = only(
      parse(["  - { name: internal, address: r.example.com, catalog: true, password: x }"]).errors,
    );
    expect(noUser).to.include({ path: "registries[0].username", message: "missing username" });
    const both = only(
      parse([
        "  - { name: internal, address: r.example.com, catalog: true, username: u, password: x, passwordFile: f }",
      ]).errors,
    );
    expect(both).to.include({ path: "registries[0].passwordFile" });
    const login = only(
      parse([
        "  - { name: internal, address: r.example.com, catalog: true, username: u, password: x, login: webapp }",
      ]).errors,
    );
    expect(login).to.include({ path: "registries[0].login" });
  });

  it("never repeats a password in a problem", () => {
    const r = parse([
      "  - { name: internal, address: r.example.com, catalog: true, username: u, password: 12 }",
    ]);
    const p = only(r.errors);
    expect(p.path).to.equal("registries[0].password");
    expect(p.found).to.equal("(hidden)");
  });

  it("names the path, expected and found of a wrong address, interval and platform", () => {
    const r = parse([
      "  - { name: internal, address: 'https://r.example.com', catalog: true, interval: 10ms, platform: amd64 }",
    ]);
    const byPath = new Map(r.errors!.map((p) => [p.path, p]));
    expect(byPath.get("registries[0].address")).to.include({
      message: "invalid registry address",
      found: '"https://r.example.com"',
      line: 2,
    });
    expect(byPath.get("registries[0].interval")).to.include({
      message: "interval is too short",
      found: "10",
    });
    expect(byPath.get("registries[0].platform")!.expected).to.be.a("string");
  });

  it("refuses duplicate names, a login of an unknown project and accounts naming no registry", () => {
    const r = parseConfig(
      [
        "registries:",
        "  - { name: internal, address: a.example.com, catalog: true, login: nobody }",
        "  - { name: internal, address: b.example.com, catalog: true }",
        ...PROJECT.slice(0, -2),
        "        accounts: [internals]",
      ].join("\n"),
      { file: FILE },
    );
    const paths = r.errors!.map((p) => p.path);
    expect(paths).to.have.members([
      "registries[1].name",
      "registries[0].login",
      "projects[0].subscriptions[0].accounts[0]",
    ]);
  });

  it("refuses accounts and fireOnFirstScan on a webhook registry's subscription", () => {
    const r = parse(["  - { name: internal, address: a.example.com, catalog: true }"], {}, [
      ...PROJECT.slice(0, 4),
      "      - registry: distribution",
      "        fireOnFirstScan: true",
    ]);
    expect(only(r.errors)).to.include({
      path: "projects[0].subscriptions[0].fireOnFirstScan",
      expected: "registry: poll, or no fireOnFirstScan",
    });
  });

  it("takes verifyWith naming a watched registry on a webhook registry's subscription, and refuses it elsewhere", () => {
    const registries = ["  - { name: internal, address: a.example.com, catalog: true }"];
    const verified = parse(registries, {}, [
      ...PROJECT.slice(0, 4),
      "      - { registry: harbor, verifyWith: internal }",
    ]);
    expect(verified.errors).to.equal(undefined);
    expect(verified.value!.projects[0]!.subscriptions[0]).to.include({
      registry: "harbor",
      verifyWith: "internal",
    });

    const unknown = parse(registries, {}, [
      ...PROJECT.slice(0, 4),
      "      - { registry: harbor, verifyWith: other }",
    ]);
    expect(only(unknown.errors)).to.include({
      path: "projects[0].subscriptions[0].verifyWith",
      message: 'no watched registry is named "other" to verify pushes with',
      expected: "a name from registries (internal)",
    });
    const polled = parse(registries, {}, [
      ...PROJECT.slice(0, 4),
      "      - { registry: poll, verifyWith: internal }",
    ]);
    expect(only(polled.errors)).to.include({
      path: "projects[0].subscriptions[0].verifyWith",
      expected: "a webhook registry (harbor, distribution...), or no verifyWith",
    });
  });

  it("a subscription's accounts take pushes of those watched registries only", () => {
    const s = compileSubscription({ registry: "poll", repositories: [], tags: [], accounts: ["internal"] });
    expect(
      subscriptionAccepts(s, { registry: "poll", repository: "a", tag: "v1", account: "internal" }),
    ).to.equal(true);
    expect(
      subscriptionAccepts(s, { registry: "poll", repository: "a", tag: "v1", account: "other" }),
    ).to.equal(false);
    const any = compileSubscription({ registry: "poll", repositories: [], tags: [] });
    expect(
      subscriptionAccepts(any, { registry: "poll", repository: "a", tag: "v1", account: "other" }),
    ).to.equal(true);
    expect(subscriptionAccepts(any, { registry: "distribution", repository: "a", tag: "v1" })).to.equal(
      false,
    );
  });

  it("the example's bosun.yaml parses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-watch-"));
    writeFileSync(join(dir, "token"), "t");
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(
      new URL("../../../examples/watched-registries/bosun.yaml", import.meta.url),
      "utf8",
    );
    const r = parseConfig(text, {
      file: join(dir, "bosun.yaml"),
      env: { INTERNAL_REGISTRY_PASSWORD: "p", GCR_KEY_JSON: "{}", RELEASE_WEBHOOK_TOKEN: "release-token-1" },
    });
    expect(r.errors).to.equal(undefined);
    expect(r.value!.registries!.map((a) => a.name)).to.deep.equal(["internal", "gcr", "ecr", "hub"]);
    expect(r.value!.projects[0]!.subscriptions.map((s) => s.verifyWith)).to.deep.equal([
      undefined,
      undefined,
      "internal",
    ]);
  });
});
