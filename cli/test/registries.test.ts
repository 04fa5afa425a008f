/** bosun registries list|check and bosun poll now, against a server watching a real registry. */
import { expect } from "chai";
import type { ImagePushEvent } from "@bosun/core";
import { startRegistry, type TestRegistry } from "@bosun/test-support";
import { bosunCli as bosun } from "./support/bosun-cli.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const PASSWORD = "watch-password-1";

describe("bosun registries and bosun poll now", function () {
  this.timeout(60_000);
  let registry: TestRegistry;
  let t: TestServer;
  let env: Record<string, string>;

  before(async () => {
    registry = await startRegistry({ auth: { users: [{ username: "bosun", password: PASSWORD }] } });
    await registry.push("team/app", "v1");
    t = await startTestServer(
      [
        "registries:",
        `  - { name: internal, address: "${registry.host}", insecure: true, repositories: [team/app], username: bosun, password: ${PASSWORD}, interval: 1h }`,
        `  - { name: wrong, address: "${registry.host}", insecure: true, repositories: [team/app], username: bosun, password: not-the-${PASSWORD}, interval: 1h }`,
        "projects:",
        "  - name: deploy",
        "    script: ./brigade.js",
        "    subscriptions: [{ registry: poll, accounts: [internal] }]",
      ].join("\n"),
      {
        "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("polled " + e.image.ref));\n`,
      },
    );
    env = { BOSUN_SERVER: t.url, BOSUN_TOKEN: t.server.adminToken };
  });
  after(async () => {
    await t?.dispose();
    await registry?.stop();
  });

  it("poll now records a first scan, then fires for a new tag, which runs the project's script", async () => {
    const first = await bosun(["poll", "now", "--account", "internal", "--json"], env);
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)[0]).to.deep.include({
      account: "internal",
      repository: "team/app",
      firstScan: true,
      fired: 0,
      tags: 1,
    });

    const v2 = await registry.push("team/app", "v2", { format: "v2s2" });
    const table = await bosun(["poll", "now", "--account", "internal", "--repository", "team/app"], env);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^REGISTRY\s+REPOSITORY\s+TAGS\s+CHANGED\s+DELETED\s+FIRED/);
    expect(table.stdout).to.match(/internal\s+team\/app\s+2\s+v2\s+1/);

    const events = await t.server.store.listEvents({ project: "deploy" });
    expect(events).to.have.length(1);
    const event = events[0] as ImagePushEvent;
    expect(event.source).to.equal("poll");
    expect(event.image).to.include({
      registry: registry.host,
      repository: "team/app",
      tag: "v2",
      digest: v2.digest,
    });
    const [run] = await t.api.finishedRuns(`?event=${event.id}`);
    expect(run!.status).to.equal("succeeded");
  });

  it("registries list names each account's login but never its password", async () => {
    const r = await bosun(["registries", "list", "--json"], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.not.contain(PASSWORD);
    const list = JSON.parse(r.stdout) as {
      name: string;
      login: string;
      repositoriesWatched: { repository: string }[];
    }[];
    expect(list.map((a) => [a.name, a.login])).to.deep.equal([
      ["internal", "bosun"],
      ["wrong", "bosun"],
    ]);
    expect(list[0]!.repositoriesWatched.map((w) => w.repository)).to.deep.equal(["team/app"]);
    const table = await bosun(["registries", "list"], env);
    expect(table.stdout).to.match(
      /internal\s+127\.0\.0\.1:\d+\s+team\/app\s+bosun\s+3600s\s+team\/app \(2 tags/,
    );
  });

  it("registries check logs in, and says why a login is refused, with its code", async () => {
    const ok = await bosun(["registries", "check", "internal"], env);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal("internal: logged in; watching team/app\n");
    const wrong = await bosun(["registries", "check", "wrong"], env);
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.match(/^error: wrong: .*refused the account.*\[REGISTRY_LOGIN_FAILED\]\n$/);
    expect(wrong.stderr).to.not.contain(PASSWORD);
    const unknown = await bosun(["registries", "check", "nope"], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain("[NOT_FOUND]");
  });

  it("poll now reports a failing registry and exits non-zero", async () => {
    const r = await bosun(["poll", "now", "--account", "wrong", "--json"], env);
    expect(r.code).to.equal(1);
    expect(JSON.parse(r.stdout)[0].error.code).to.equal("REGISTRY_LOGIN_FAILED");
  });

  it("refuses every registries route without the admin token", async () => {
    const statuses = await Promise.all(
      [
        ["GET", "/api/v1/registries"],
        ["POST", "/api/v1/registries/internal/check"],
        ["POST", "/api/v1/poll"],
      ].map(
        async ([method, path]) =>
          (await fetch(`${t.url}${path}`, { method, headers: { authorization: "Bearer nope" } })).status,
      ),
    );
    expect(statuses).to.deep.equal([401, 401, 401]);
  });

  it("poll answers a repository without its account with the path, expected and found", async () => {
    const res = await fetch(`${t.url}/api/v1/poll`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ repository: "team/app" }),
    });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: unknown }).error).to.include({
      code: "PAYLOAD_MALFORMED",
      path: "account",
      found: "nothing",
    });
  });

  it("a process that does not poll (bosun gateway) says so", async () => {
    const gateway = await startTestServer(
      [
        "registries:",
        `  - { name: internal, address: "${registry.host}", insecure: true, repositories: [team/app] }`,
        "projects:",
        "  - { name: deploy, script: ./brigade.js, subscriptions: [{ registry: poll }] }",
      ].join("\n"),
      { "brigade.js": "" },
      { worker: false },
    );
    try {
      const r = await bosun(["poll", "now"], {
        BOSUN_SERVER: gateway.url,
        BOSUN_TOKEN: gateway.server.adminToken,
      });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/does not poll registries.*\[NOT_FOUND\]/);
      expect(gateway.server.poller).to.equal(undefined);
    } finally {
      await gateway.dispose();
    }
  });
});
