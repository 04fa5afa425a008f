import { expect } from "chai";
import { parseConfig, parseDuration, parseSize } from "../src/index.js";

const FILE = "/srv/bosun/bosun.yaml";

describe("config: bosun.yaml", () => {
  it("parses a full project, resolving paths against the config file and applying defaults", () => {
    const r = parseConfig(
      [
        "server: { port: 8080, dataDir: ./data, bodyLimit: 512KiB }",
        "projects:",
        "  - name: webapp",
        "    script: ./webapp/bosun.ts",
        "    secrets: { SLACK_TOKEN: ${env:SLACK} }",
        "    webhookToken: ${env:HOOK}",
        "    subscriptions:",
        "      - registry: dockerhub",
        '        repositories: ["myorg/webapp"]',
        '        tags: ["v*", "!*-rc*"]',
        "    timeouts: { script: 10m, job: 90s }",
      ].join("\n"),
      { file: FILE, env: { SLACK: "xoxb-1", HOOK: "hook-token-123" } },
    );
    expect(r.errors).to.equal(undefined);
    const c = r.value!;
    expect(c.port).to.equal(8080);
    expect(c.dataDir).to.equal("/srv/bosun/data");
    expect(c.bodyLimitBytes).to.equal(512 * 1024);
    const p = c.projects[0]!;
    expect(p.script).to.deep.equal({ path: "/srv/bosun/webapp/bosun.ts" });
    expect(p.secrets).to.deep.equal({ SLACK_TOKEN: "xoxb-1" });
    expect(p.webhookToken).to.equal("hook-token-123");
    expect(p.timeouts).to.deep.equal({ scriptMs: 600_000, jobMs: 90_000 });
    expect(p.executor).to.equal("docker");
    expect(p.concurrency).to.equal(2);
    expect(p.allowPrivileged).to.equal(false);
    expect(p.subscriptions[0]).to.deep.equal({
      registry: "dockerhub",
      repositories: ["myorg/webapp"],
      tags: ["v*", "!*-rc*"],
    });
  });

  it("an empty file is a server with no projects on the default port", () => {
    const c = parseConfig("", { file: FILE }).value!;
    expect(c.port).to.equal(7744);
    expect(c.bodyLimitBytes).to.equal(1024 * 1024);
    expect(c.projects).to.deep.equal([]);
  });

  it("names file, line, column, path, expected and found for a wrong value", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: webapp",
        "    script: ./a.js",
        "    subscriptions:",
        "      - registry: dockerhab",
      ].join("\n"),
      { file: FILE },
    );
    expect(r.errors).to.have.length(1);
    const e = r.errors![0]!;
    expect(e).to.include({
      code: "CONFIG_INVALID",
      file: FILE,
      path: "projects[0].subscriptions[0].registry",
      line: 5,
      column: 19,
    });
    expect(e.expected).to.contain('"dockerhub"');
    expect(e.found).to.equal('"dockerhab"');
    // The list of options is said once, in `expected`, not repeated in the message.
    expect(e.message).to.equal("invalid option");
  });

  it("takes registries that send webhooks and watched ones (poll) as subscriptions, not the cli source", () => {
    const subscribing = (registry: string) =>
      parseConfig(
        [
          "projects:",
          "  - name: webapp",
          "    script: ./a.js",
          "    subscriptions:",
          `      - registry: ${registry}`,
        ].join("\n"),
        { file: FILE },
      );
    const e = subscribing("cli").errors![0]!;
    expect(e).to.include({ path: "projects[0].subscriptions[0].registry", found: '"cli"' });
    expect(e.expected).to.contain('"jfrog"').and.contain('"poll"');
    // Watching nothing, a poll subscription would take nothing.
    const poll = subscribing("poll").errors![0]!;
    expect(poll).to.include({ path: "projects[0].subscriptions[0].registry" });
    expect(poll.expected).to.contain("registries");
  });

  it("reports an unknown key (a typo) at the key itself", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: webapp",
        "    script: ./a.js",
        "    subscriptions: [{ registry: quay }]",
        "    concurency: 3",
      ].join("\n"),
      { file: FILE },
    );
    const e = r.errors![0]!;
    expect(e.message).to.equal('unknown key "concurency"');
    expect(e).to.include({ path: "projects[0]", line: 5, column: 5 });
  });

  it("reports a missing environment variable at its path", () => {
    const r = parseConfig(
      ["projects:", "  - name: a", "    script: ./a.js", "    webhookToken: ${env:NOPE}"].join("\n"),
      { env: {} },
    );
    expect(r.errors![0]).to.include({
      path: "projects[0].webhookToken",
      line: 4,
      message: "environment variable NOPE is not set",
    });
  });

  it("reports a missing environment variable with the file's other problems, not instead of them", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    webhookToken: ${env:NOPE}",
        "    concurency: 2",
        "    subscriptions: [{ registry: dockerhab }]",
      ].join("\n"),
      { env: {} },
    );
    expect(r.errors!.map((e) => [e.path, e.message])).to.have.deep.members([
      ["projects[0].webhookToken", "environment variable NOPE is not set"],
      ["projects[0]", 'unknown key "concurency"'],
      ["projects[0].subscriptions[0].registry", "invalid option"],
    ]);
  });

  it("never echoes a secret value in an error", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    subscriptions: [{ registry: acr }]",
        "    webhookToken: s3cr",
      ].join("\n"),
    );
    const e = r.errors![0]!;
    expect(e.path).to.equal("projects[0].webhookToken");
    expect(e.found).to.equal("(hidden)");
    expect(JSON.stringify(r.errors)).not.to.contain("s3cr");
  });

  it("reads server.readOnlyTokens (none by default), and refuses a short one without echoing it", () => {
    const project = "projects: [{ name: a, script: ./a.js, subscriptions: [{ registry: acr }] }]";
    expect(parseConfig(project).value!.readOnlyTokens).to.deep.equal([]);
    const good = parseConfig(`server: { readOnlyTokens: ["view-token-0123456789"] }\n${project}`);
    expect(good.value!.readOnlyTokens).to.deep.equal(["view-token-0123456789"]);
    const r = parseConfig(`server: { readOnlyTokens: ["long-enough-token-1", "sh0rt"] }\n${project}`);
    expect(r.errors![0]!.path).to.equal("server.readOnlyTokens[1]");
    expect(JSON.stringify(r.errors)).not.to.contain("sh0rt");
  });

  it("refuses duplicate names and a project with nothing to run", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - { name: a, script: ./a.js, subscriptions: [{ registry: ecr }] }",
        "  - { name: a, script: ./b.js, subscriptions: [{ registry: ecr }] }",
        "  - { name: c, subscriptions: [{ registry: ecr }] }",
      ].join("\n"),
    );
    expect(r.errors!.map((e) => e.path)).to.deep.equal(["projects[1].name", "projects[2]"]);
  });

  it("requires a subscription or an events entry: nothing reaches a project that has not opted in", () => {
    const r = parseConfig(
      ["projects:", "  - name: a", "    script: ./a.js", "    subscriptions: []"].join("\n"),
    );
    expect(r.errors![0]).to.include({
      path: "projects[0].subscriptions",
      message: 'project "a" receives nothing: it has no subscription and no events entry',
      line: 4,
    });
    expect(r.errors![0]!.expected).to.contain("events: [{ source, types }]");
    const missing = parseConfig(["projects:", "  - name: a", "    script: ./a.js"].join("\n"));
    expect(missing.errors![0]).to.include({
      path: "projects[0].subscriptions",
      message: 'project "a" receives nothing: it has no subscription and no events entry',
    });
    const eventsOnly = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    events: [{ source: brigade.sh/cli, types: [exec] }]",
      ].join("\n"),
    );
    expect(eventsOnly.errors).to.equal(undefined);
    expect(eventsOnly.value!.projects[0]!.subscriptions).to.deep.equal([]);
  });

  it("checks a subscription's tag pattern and semver range when the file is read", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    subscriptions:",
        "      - { registry: dockerhub, tagPattern: '^v[0-9+$' }",
        "      - { registry: dockerhub, semver: 'not a range' }",
        "      - { registry: dockerhub, tagPattern: '^v[0-9]+$', semver: '>=1.2.0 <2' }",
      ].join("\n"),
    );
    expect(r.errors!.map((e) => [e.path, e.line])).to.deep.equal([
      ["projects[0].subscriptions[0].tagPattern", 5],
      ["projects[0].subscriptions[1].semver", 6],
    ]);
    expect(r.errors![0]!.message).to.match(/^invalid regular expression/);
    expect(r.errors![1]!.expected).to.contain("semver range");
  });

  it("refuses a tag pattern that backtracks on long tags, and takes linear ones", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    subscriptions:",
        "      - { registry: dockerhub, tagPattern: '^(a+)+$' }",
        "      - { registry: dockerhub, tagPattern: '^v[0-9]*[0-9]*x$' }",
        "      - { registry: dockerhub, tagPattern: '^v[0-9]+(\\.[0-9]+)*(-rc[0-9]+)?$' }",
        "      - { registry: dockerhub, tagPattern: '-alpine[0-9]*$' }",
        `      - { registry: dockerhub, tagPattern: '${"a".repeat(1100)}' }`,
      ].join("\n"),
    );
    expect(r.errors!.map((e) => [e.path, e.line])).to.deep.equal([
      ["projects[0].subscriptions[0].tagPattern", 5],
      ["projects[0].subscriptions[1].tagPattern", 6],
      ["projects[0].subscriptions[4].tagPattern", 9],
    ]);
    expect(r.errors![0]!.message).to.include("exponential backtracking");
    expect(r.errors![1]!.message).to.include("polynomial backtracking");
    expect(r.errors![0]!.expected).to.include("without nested or overlapping quantifiers");
  });

  it("gives YAML syntax errors with line and column", () => {
    const r = parseConfig("projects:\n  - name: [unclosed\n", { file: FILE });
    expect(r.errors![0]!.message).to.match(/^YAML: /);
    expect(r.errors![0]!.line).to.be.a("number");
  });

  it("takes the job containers' network, and refuses a value that cannot name one", () => {
    const c = parseConfig("docker: { network: none }", { file: FILE }).value!;
    expect(c.docker.network).to.equal("none");
    expect(parseConfig("", { file: FILE }).value!.docker.network).to.equal(undefined);
    const bad = parseConfig("docker:\n  network: 'my net'", { file: FILE });
    expect(bad.errors?.[0]?.path).to.equal("docker.network");
    expect(bad.errors?.[0]?.line).to.equal(2);
    expect(bad.errors?.[0]?.message).to.contain('"none"');
    expect(bad.errors?.[0]?.found).to.equal('"my net"');
  });

  it("takes the claims the worker's folders are on, resolving their paths, and checks claim names", () => {
    const c = parseConfig("kubernetes:\n  pathClaims: [{ path: ./data, claim: bosun-data }]", {
      file: FILE,
    }).value!;
    expect(c.kubernetes?.pathClaims).to.deep.equal([{ path: "/srv/bosun/data", claim: "bosun-data" }]);
    const bad = parseConfig("kubernetes:\n  pathClaims:\n    - { path: /d, claim: Bosun_Data }", {
      file: FILE,
    });
    expect(bad.errors?.[0]).to.include({ path: "kubernetes.pathClaims[0].claim", line: 3 });
    expect(bad.errors?.[0]?.message).to.contain("PersistentVolumeClaim name");
  });

  it("takes server.publicUrl, the base of the webhooks Bosun keeps, as an http(s) URL", () => {
    const c = parseConfig("server: { publicUrl: 'https://bosun.example.com' }", { file: FILE }).value!;
    expect(c.publicUrl).to.equal("https://bosun.example.com");
    expect(parseConfig("", { file: FILE }).value!.publicUrl).to.equal(undefined);
    const bad = parseConfig("server: { publicUrl: bosun.example.com }", { file: FILE });
    expect(bad.errors!.map((e) => [e.path, e.message])).to.deep.equal([["server.publicUrl", "invalid URL"]]);
  });

  it("takes a project's Pub/Sub push authentication and where its keys are fetched, checking both", () => {
    const c = parseConfig(
      [
        "server: { pubsubJwksUrl: 'http://keys.internal:8080/certs' }",
        "projects:",
        "  - name: webapp",
        "    script: ./a.js",
        "    subscriptions: [{ registry: gcr }]",
        "    pubsub:",
        "      serviceAccount: bosun-push@acme.iam.gserviceaccount.com",
        "      audience: https://bosun.example.com/events/gcr/webapp",
        "  - { name: other, script: ./b.js, subscriptions: [{ registry: gcr }] }",
      ].join("\n"),
      { file: FILE },
    ).value!;
    expect(c.pubsubJwksUrl).to.equal("http://keys.internal:8080/certs");
    expect(c.projects[0]!.pubsub).to.deep.equal({
      serviceAccount: "bosun-push@acme.iam.gserviceaccount.com",
      audience: "https://bosun.example.com/events/gcr/webapp",
    });
    expect(c.projects[1]).not.to.have.property("pubsub");
    expect(parseConfig("", { file: FILE }).value!.pubsubJwksUrl).to.equal(undefined);

    const bad = parseConfig(
      [
        "server: { pubsubJwksUrl: 'ftp://keys' }",
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    subscriptions: [{ registry: gcr }]",
        "    pubsub: { serviceAccount: bosun-push, audience: x, audiance: y }",
        "  - name: b",
        "    script: ./b.js",
        "    subscriptions: [{ registry: gcr }]",
        "    pubsub: { serviceAccount: push@p.iam.gserviceaccount.com }",
      ].join("\n"),
      { file: FILE },
    );
    const errors = bad.errors!.map((e) => ({ path: e.path, line: e.line }));
    expect(errors).to.deep.include.members([
      { path: "server.pubsubJwksUrl", line: 1 },
      { path: "projects[0].pubsub.serviceAccount", line: 6 },
      { path: "projects[0].pubsub", line: 6 },
      { path: "projects[1].pubsub.audience", line: 10 },
    ]);
    const url = bad.errors!.find((e) => e.path === "server.pubsubJwksUrl")!;
    expect(url).to.include({ found: '"ftp://keys"' });
    expect(url.expected).to.contain("http(s) URL");
    const email = bad.errors!.find((e) => e.path === "projects[0].pubsub.serviceAccount")!;
    expect(email).to.include({ found: '"bosun-push"' });
    expect(email.expected).to.contain("service account email");
    expect(bad.errors!.find((e) => e.path === "projects[0].pubsub")!.message).to.contain('"audiance"');
    expect(bad.errors!.find((e) => e.path === "projects[1].pubsub.audience")!.message).to.equal(
      "missing audience",
    );
  });

  it("refuses two projects with the same Pub/Sub audience: one's token would open the other", () => {
    const r = parseConfig(
      [
        "projects:",
        "  - name: a",
        "    script: ./a.js",
        "    subscriptions: [{ registry: gcr }]",
        "    pubsub: { serviceAccount: push@p.iam.gserviceaccount.com, audience: https://bosun.example.com }",
        "  - name: b",
        "    script: ./b.js",
        "    subscriptions: [{ registry: gcr }]",
        "    pubsub: { serviceAccount: push@p.iam.gserviceaccount.com, audience: https://bosun.example.com }",
      ].join("\n"),
      { file: FILE },
    );
    expect(r.errors).to.have.length(1);
    expect(r.errors![0]).to.include({ path: "projects[1].pubsub.audience", line: 9, code: "CONFIG_INVALID" });
    expect(r.errors![0]!.message).to.equal('project "b" has the same pubsub audience as project "a"');
    expect(r.errors![0]!.expected).to.contain("an audience of its own");
  });

  it("takes the events one webhook request may become, 100 by default", () => {
    expect(parseConfig("", { file: FILE }).value!.maxEventsPerRequest).to.equal(100);
    expect(parseConfig("", { file: FILE }).value!.digestHoldMs).to.equal(10_000);
    expect(parseConfig("server: { digestHold: 30s }", { file: FILE }).value!.digestHoldMs).to.equal(30_000);
    expect(parseConfig("server: { digestHold: 0 }", { file: FILE }).errors![0]!.path).to.equal(
      "server.digestHold",
    );
    const set = parseConfig("server: { maxEventsPerRequest: 20 }", { file: FILE }).value!;
    expect(set.maxEventsPerRequest).to.equal(20);
    const bad = parseConfig("server: { maxEventsPerRequest: 0 }", { file: FILE }).errors!;
    expect(bad.map((e) => ({ path: e.path, expected: e.expected, found: e.found }))).to.deep.equal([
      { path: "server.maxEventsPerRequest", expected: "at least 1", found: "0" },
    ]);
  });

  it("takes header and request timeouts suited to webhooks, 10s and 30s by default", () => {
    const defaults = parseConfig("", { file: FILE }).value!;
    expect([defaults.headersTimeoutMs, defaults.requestTimeoutMs]).to.deep.equal([10_000, 30_000]);
    const set = parseConfig("server: { headersTimeout: 2s, requestTimeout: 1m }", { file: FILE }).value!;
    expect([set.headersTimeoutMs, set.requestTimeoutMs]).to.deep.equal([2_000, 60_000]);

    const bad = (server: string) =>
      parseConfig(`server: ${server}`, { file: FILE }).errors!.map((e) => ({
        path: e.path,
        expected: e.expected,
        found: e.found,
      }));
    expect(bad("{ headersTimeout: 0s }")).to.deep.equal([
      { path: "server.headersTimeout", expected: 'a duration above zero, like "10s" or "30s"', found: "0" },
    ]);
    expect(bad("{ requestTimeout: soon }")[0]?.path).to.equal("server.requestTimeout");
    expect(bad("{ headersTimeout: 1m, requestTimeout: 30s }")).to.deep.equal([
      { path: "server.headersTimeout", expected: "at most requestTimeout (30000ms)", found: '"60000ms"' },
    ]);
  });

  it("reads durations and sizes", () => {
    expect(parseDuration("10m")).to.equal(600_000);
    expect(parseDuration("1.5s")).to.equal(1500);
    expect(parseDuration(250)).to.equal(250);
    expect(parseDuration("10 parsecs")).to.equal(undefined);
    expect(parseSize("1MiB")).to.equal(1048576);
    expect(parseSize("2KB")).to.equal(2000);
    expect(parseSize("-1")).to.equal(undefined);
  });
});
