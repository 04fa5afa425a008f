/** The `bosun` command as a user runs it, against a running server: --json for programs, tables for people. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseConfig, type JobRecord, type Run } from "@bosun/core";
import { type StoredEvent } from "@bosun/store";
import { bosunCli as bosun } from "./support/bosun-cli.js";
import { REPO_ROOT, realFixture } from "./support/fixtures.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "cli-test-token";

describe("bosun CLI", function () {
  this.timeout(60_000);
  let t: TestServer;
  let env: Record<string, string>;

  before(async () => {
    t = await startTestServer(
      `projects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, secrets: { API_KEY: sekret-value-1 }, subscriptions: [{ registry: dockerhub }] }\n` +
        `  - { name: gcp, script: ./brigade.js, pubsub: { serviceAccount: push@demo.iam.gserviceaccount.com, audience: "https://bosun.example.com/events/gcr/gcp" }, subscriptions: [{ registry: gcr }] }\n` +
        `  - { name: broken, script: ./broken.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n` +
        `  - { name: noisy, script: ./noisy.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n` +
        `  - { name: releases, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub, policy: { order: semver } }] }\n`,
      {
        "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e, p) => console.log("pushed " + e.image.ref + " key " + p.secrets.API_KEY));\n`,
        "broken.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {\n  throw new Error("no release notes for this tag");\n});\n`,
        // Window title, clipboard write, screen clear, a carriage return and a bidi override.
        "noisy.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {\n  console.log("a\\x1b]0;owned\\x07b\\x1b]52;c;ZXZpbA==\\x07c\\x1b[2Jd\\re\\u202ef\\tg");\n  throw new Error("bad\\x1b[2Jrun");\n});\n`,
      },
    );
    env = { BOSUN_SERVER: t.url, BOSUN_TOKEN: t.server.adminToken };
  });
  after(async () => t?.dispose());

  it("trigger → events list → runs list → runs show → logs", async () => {
    const trig = await bosun(
      ["trigger", "dockerhub", "--project", "hub", "--repository", "team/app", "--tag", "v9", "--json"],
      env,
    );
    expect(trig.code, trig.stderr).to.equal(0);
    const { accepted } = JSON.parse(trig.stdout) as { accepted: string[] };
    expect(accepted).to.have.length(1);

    const events = JSON.parse((await bosun(["events", "list", "--json"], env)).stdout) as StoredEvent[];
    expect(events[0]).to.include({ id: accepted[0], project: "hub", source: "dockerhub" });
    expect(events[0]!.image?.ref).to.equal("docker.io/team/app:v9");
    expect(events[0]).not.to.have.property("payload");

    const [finished] = await t.api.finishedRuns(`?event=${accepted[0]}`);
    const runs = JSON.parse(
      (await bosun(["runs", "list", "--project", "hub", "--json"], env)).stdout,
    ) as Run[];
    expect(runs.map((r) => r.id)).to.include(finished!.id);
    const shown = JSON.parse((await bosun(["runs", "show", finished!.id, "--json"], env)).stdout) as Run & {
      jobs: JobRecord[];
    };
    expect(shown.status).to.equal("succeeded");

    const logs = await bosun(["logs", finished!.id], env);
    expect(logs.stdout).to.contain("pushed docker.io/team/app:v9 key ***");
    expect(logs.stdout).not.to.contain("sekret-value-1");

    const one = JSON.parse((await bosun(["runs", "list", "--limit", "1", "--json"], env)).stdout) as Run[];
    expect(one).to.have.length(1);
    for (const limit of ["abc", "0", "-5", "5000"]) {
      const bad = await bosun(["events", "list", "--limit", limit], env);
      expect(bad.code, limit).to.equal(1);
      expect(bad.stderr).to.contain("expected a whole number from 1 to 1000");
    }

    const table = await bosun(["events", "list"], env);
    expect(table.stdout.split("\n")[0]).to.match(/^ID\s+PROJECT\s+SOURCE\s+TYPE\s+IMAGE\s+STATE\s+RECEIVED$/);
  });

  it("trigger refuses, saying why, a registry whose pushes the project proves with a token only the registry can sign", async () => {
    const r = await bosun(
      ["trigger", "gcr", "--project", "gcp", "--repository", "team/app", "--tag", "v1"],
      env,
    );
    expect(r.code).to.not.equal(0);
    expect(r.stderr + r.stdout).to.contain('project "gcp" takes');
    expect(r.stderr + r.stdout).to.contain("OIDC token");
    expect(r.stderr + r.stdout).to.contain("bosun script run");
  });

  it("trigger of a tag older than the policy's best tag says why nothing was stored, and exits non-zero", async () => {
    const trigger = (tag: string) =>
      bosun(["trigger", "dockerhub", "--project", "releases", "--repository", "team/app", "--tag", tag], env);
    expect((await trigger("v2.0.0")).code).to.equal(0);
    const older = await trigger("v1.9.0");
    expect(older.code).to.equal(1);
    expect(older.stderr).to.equal(
      "error: v1.9.0 is older than the best tag v2.0.0; nothing was stored or run\n",
    );
  });

  it("trigger through a registry the project does not subscribe to says nothing was stored, and exits non-zero", async () => {
    const before = JSON.parse((await bosun(["events", "list", "--json"], env)).stdout) as StoredEvent[];
    const r = await bosun(
      ["trigger", "acr", "--project", "hub", "--repository", "team/app", "--tag", "v1"],
      env,
    );
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.contain('no subscription of project "hub" takes the acr push of team/app:v1');
    expect(r.stderr).to.contain("nothing was stored");
    const json = await bosun(
      ["trigger", "acr", "--project", "hub", "--repository", "team/app", "--tag", "v1", "--json"],
      env,
    );
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout)).to.deep.include({ accepted: [], ignored: 1 });
    const after = JSON.parse((await bosun(["events", "list", "--json"], env)).stdout) as StoredEvent[];
    expect(after).to.have.length(before.length);
  });

  it("runs show names a failed run's error once, then where in the script it was thrown", async () => {
    const trig = await bosun(
      ["trigger", "dockerhub", "--project", "broken", "--repository", "team/app", "--tag", "v1", "--json"],
      env,
    );
    expect(trig.code, trig.stderr).to.equal(0);
    const { accepted } = JSON.parse(trig.stdout) as { accepted: string[] };
    const [finished] = await t.api.finishedRuns(`?event=${accepted[0]}`);
    const shown = await bosun(["runs", "show", finished!.id], env);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain("status failed: no release notes for this tag\n");
    expect(shown.stdout.split("no release notes for this tag")).to.have.length(2);
    expect(shown.stdout).to.match(/at .*broken\.js:3/);
  });

  it("logs and runs show make control sequences from scripts visible, and --json keeps them as stored", async () => {
    const trig = await bosun(
      ["trigger", "dockerhub", "--project", "noisy", "--repository", "team/app", "--tag", "v1", "--json"],
      env,
    );
    expect(trig.code, trig.stderr).to.equal(0);
    const { accepted } = JSON.parse(trig.stdout) as { accepted: string[] };
    const [finished] = await t.api.finishedRuns(`?event=${accepted[0]}`);

    const logs = await bosun(["logs", finished!.id], env);
    expect(logs.stdout).to.contain("a^[]0;owned^Gb^[]52;c;ZXZpbA==^Gc^[[2Jd^Me\\u202ef\tg\n");
    const shown = await bosun(["runs", "show", finished!.id], env);
    expect(shown.stdout).to.contain("status failed: bad^[[2Jrun\n");
    for (const out of [logs.stdout, shown.stdout]) {
      // eslint-disable-next-line no-control-regex -- the characters that must not reach a terminal
      expect(out).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    }

    const json = await bosun(["logs", finished!.id, "--json"], env);
    const texts = json.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { text: string }).text);
    expect(texts.join("")).to.contain("a\x1b]0;owned\x07b");
    const raw = JSON.parse((await bosun(["runs", "show", finished!.id, "--json"], env)).stdout) as Run;
    expect(raw.error?.message).to.contain("bad\x1b[2Jrun");
  });

  it("says what is wrong when the server is unreachable or the token is wrong", async () => {
    const down = await bosun(["events", "list"], { BOSUN_SERVER: "http://127.0.0.1:9", BOSUN_TOKEN: "x" });
    expect(down.code).to.equal(1);
    expect(down.stderr).to.contain("cannot reach the Bosun server at http://127.0.0.1:9");
    expect(down.stderr).to.contain("[SERVER_UNREACHABLE]");
    const wrong = await bosun(["events", "list"], { BOSUN_SERVER: t.url, BOSUN_TOKEN: "wrong" });
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain("[UNAUTHORIZED]");
    const none = await bosun(["events", "list", "--data", join(t.dir, "elsewhere")], {
      BOSUN_SERVER: t.url,
      BOSUN_TOKEN: "",
    });
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain("point --data at the server's data dir");
    expect(none.stderr).to.contain(`no ${join(t.dir, "elsewhere", "admin-token")} here`);
  });

  it("script run --dry-run records the jobs a Brigade script would start, and runs none", async () => {
    const payload = join(realFixture("registries/dockerhub"), "docs_current_push.json");
    const script = join(realFixture("brigade"), "02-smoke-test-pushed-image.js");
    const r = await bosun(["script", "run", script, "--payload", payload, "--dry-run", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const [result] = JSON.parse(r.stdout) as (Run & { jobs: JobRecord[]; log: string })[];
    expect(result!.status).to.equal("succeeded");
    expect(result!.jobs.map((j) => [j.name, j.image, j.status])).to.deep.equal([
      ["smoke", "svendowideit/testhook:latest", "dry_run"],
    ]);
    expect(result!.jobs[0]!.tasks).to.deep.equal(["echo running smoke test", "ls /"]);
    expect(result!.log).to.contain("smoke test of svendowideit/testhook:latest said:");
  });

  describe("every real Brigade v1 script, unmodified, through script run --dry-run", () => {
    const cases: [file: string, registry: string, payload: string, type: string, jobs: string[]][] = [
      ["01-image-push-acr.js", "acr", "acr/msdocs_push.json", "image_push", []],
      [
        "02-smoke-test-pushed-image.js",
        "dockerhub",
        "dockerhub/docs_current_push.json",
        "image_push",
        ["smoke"],
      ],
      ["03-groups.js", "dockerhub", "dockerhub/docs_current_push.json", "exec", ["lint", "unit", "scan"]],
      ["04-storage-and-cache.js", "dockerhub", "dockerhub/docs_current_push.json", "exec", ["write", "read"]],
      ["05-try-catch.js", "dockerhub", "dockerhub/docs_current_push.json", "exec", ["flaky"]],
      ["06-dockerhub-logs.js", "dockerhub", "dockerhub/docs_current_push.json", "image_push", []],
    ];
    for (const [file, registry, payload, type, jobs] of cases) {
      it(`${file}: succeeds, recording ${jobs.length ? jobs.join(", ") : "no job"}`, async () => {
        const r = await bosun([
          "script",
          "run",
          join(realFixture("brigade"), file),
          "--payload",
          join(realFixture("registries"), payload),
          "--registry",
          registry,
          "--type",
          type,
          "--secret",
          "scanToken=dry-run-token",
          "--dry-run",
          "--json",
        ]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        const [result] = JSON.parse(r.stdout) as (Run & { jobs: JobRecord[] })[];
        expect(result!.status).to.equal("succeeded");
        expect(result!.jobs.map((j) => j.name)).to.deep.equal(jobs);
        expect(result!.jobs.every((j) => j.status === "dry_run")).to.equal(true);
      });
    }
  });

  it("script run removes the data it kept while running", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "bosun-cli-tmp-"));
    try {
      const r = await bosun(
        [
          "script",
          "run",
          join(realFixture("brigade"), "02-smoke-test-pushed-image.js"),
          "--payload",
          join(realFixture("registries"), "dockerhub", "docs_current_push.json"),
          "--registry",
          "dockerhub",
          "--dry-run",
        ],
        { TMPDIR: tmp },
      );
      expect(r.code, r.stderr + r.stdout).to.equal(0);
      expect(readdirSync(tmp)).to.deep.equal([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("script run --dry-run takes a script using brigadier's v1 Job fields, secretKeyRef and Map nodeSelector", async () => {
    const r = await bosun([
      "script",
      "run",
      join(REPO_ROOT, "worker", "test", "fixtures", "scripts", "brigade-v1-api", "brigade.js"),
      "--payload",
      join(realFixture("registries"), "dockerhub/docs_current_push.json"),
      "--registry",
      "dockerhub",
      "--type",
      "exec",
      "--secret",
      "password=dry-run-password",
      "--dry-run",
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const [result] = JSON.parse(r.stdout) as (Run & { jobs: JobRecord[]; log: string })[];
    expect(result!.status, result!.log).to.equal("succeeded");
    expect(result!.jobs.map((j) => [j.name, j.status])).to.deep.equal([
      ["build", "dry_run"],
      ["notify", "dry_run"],
      ["build-2", "dry_run"],
    ]);
    expect(result!.jobs[0]!.envNames).to.deep.equal([
      "GOFLAGS",
      "REGISTRY_PASSWORD",
      "OPTIONAL_TOKEN",
      "EMPTY",
    ]);
    expect(result!.log).to.contain("pod name of the second run: build-2");
    expect(result!.log).not.to.contain("dry-run-password");
  });

  it("script run reports a broken script with its file and line, and exits non-zero", async () => {
    const file = join(t.dir, "broken.js");
    writeFileSync(
      file,
      `const { events } = require("brigadier");\nevents.on("image_push", () => {\n  const x = ;\n});\n`,
    );
    const payload = join(realFixture("registries/dockerhub"), "docs_current_push.json");
    const r = await bosun(["script", "run", file, "--payload", payload, "--dry-run"]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/broken\.js:3:\d+/);
    expect(r.stdout).to.contain("SCRIPT_BUNDLE_FAILED");
  });

  it("project list and show read the server's projects, naming secrets but never their values", async () => {
    const list = JSON.parse((await bosun(["project", "list", "--json"], env)).stdout) as { name: string }[];
    expect(list.map((p) => p.name)).to.deep.equal(["hub", "gcp", "broken", "noisy", "releases"]);
    const shown = await bosun(["project", "show", "hub"], env);
    expect(shown.stdout).to.contain("secrets: API_KEY");
    expect(shown.stdout).to.contain("dockerhub *");
    // The script as a path, not as JSON.
    expect(shown.stdout).to.contain(`  script: ${join(t.dir, "brigade.js")}\n`);
    expect(shown.stdout).not.to.contain("sekret-value-1");
    const releases = await bosun(["project", "show", "releases"], env);
    expect(releases.stdout).to.contain("    dockerhub * best semver\n");
  });

  it("project add writes bosun.yaml, keeping what was there, and refuses what the server would refuse", async () => {
    const file = join(t.dir, "edit.yaml");
    // A store URL from the environment is checked as a URL stands in for it.
    writeFileSync(file, "# the team's server\nserver: { port: 7744 }\nstore:\n  url: ${env:DB_URL}\n");
    const add = (name: string, ...options: string[]) =>
      bosun(["project", "add", name, "--config", file, ...options]);
    const added = await add(
      "web",
      "--script",
      "./web/brigade.js",
      "--registry",
      "quay",
      "--tag",
      "v*",
      "--webhook-token",
      "${env:WEB_HOOK}",
    );
    expect(added.code, added.stderr).to.equal(0);
    const text = readFileSync(file, "utf8");
    expect(text).to.contain("# the team's server");
    const parsed = parseConfig(text, {
      file,
      env: { WEB_HOOK: "a-long-enough-token", DB_URL: "postgres://bosun@db/bosun" },
    });
    expect(parsed.value!.projects[0]).to.deep.include({
      name: "web",
      subscriptions: [{ registry: "quay", repositories: [], tags: ["v*"] }],
    });
    const bad = await add("web", "--script", "./x.js", "--registry", "quay");
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('duplicate project name "web"');
    // A refusal is a message, not a stack trace of Bosun's own code.
    expect(bad.stderr).not.to.match(/^\s+at /m);
    expect(readFileSync(file, "utf8")).to.equal(text);
    const noRegistry = await add("api", "--script", "./x.js");
    expect(noRegistry.code).to.equal(1);
    expect(noRegistry.stderr).to.equal(
      "error: --registry: name at least one registry the project subscribes to [USAGE_INVALID]\n",
    );
    // cli is a source of events, not a registry that sends webhooks or is watched.
    const poll = await add("api", "--script", "./x.js", "--registry", "cli");
    expect(poll.code).to.equal(1);
    expect(poll.stderr).to.contain("invalid option at projects[1].subscriptions[0].registry");
    expect(readFileSync(file, "utf8")).to.equal(text);
    // Added, but without a token no registry reaches it: said at once.
    const tokenless = await add("api", "--script", "./x.js", "--registry", "quay");
    expect(tokenless.code, tokenless.stderr).to.equal(0);
    expect(tokenless.stdout).to.contain('added project "api"');
    expect(tokenless.stderr).to.contain('warning: project "api" has no webhookToken');
    expect(added.stderr).not.to.contain("warning");
  });

  it("gateway refuses a registry kind that has no gateway", async () => {
    const r = await bosun(["gateway", "--registry", "poll", "--port", "0", "--data", join(t.dir, "gw")]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('unknown registry "poll"; expected one of dockerhub,');
    expect(r.stderr).to.match(/jfrog \[USAGE_INVALID\]\n$/);
  });

  it("script run --config reads the server's config as serve does, ${env:NAME} included", async () => {
    const config = join(t.dir, "script-run.yaml");
    writeFileSync(
      config,
      "sandbox: { memoryMb: 64 }\nprojects:\n" +
        "  - { name: hub, script: ./brigade.js, webhookToken: ${env:SCRIPT_RUN_HOOK}, subscriptions: [{ registry: dockerhub }] }\n",
    );
    const script = join(realFixture("brigade"), "02-smoke-test-pushed-image.js");
    const payload = join(realFixture("registries/dockerhub"), "docs_current_push.json");
    const args = ["script", "run", script, "--payload", payload, "--config", config, "--dry-run"];
    const set = await bosun(args, { SCRIPT_RUN_HOOK: "a-long-enough-token" });
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout).to.contain("run succeeded");
    const unset = await bosun(args);
    expect(unset.code).to.equal(1);
    expect(unset.stderr).to.contain("environment variable SCRIPT_RUN_HOOK is not set");
    const missing = await bosun(["script", "run", script, "--payload", join(t.dir, "nope.json")]);
    expect(missing.stderr).to.equal(
      `error: --payload: cannot read the file ${join(t.dir, "nope.json")}: ENOENT: no such file or directory, open '${join(t.dir, "nope.json")}' [USAGE_INVALID]\n`,
    );
  });

  it("script run names a payload of another registry without a stack trace", async () => {
    const script = join(realFixture("brigade"), "02-smoke-test-pushed-image.js");
    const payload = join(realFixture("registries/acr"), "msdocs_push.json");
    const r = await bosun(["script", "run", script, "--payload", payload, "--dry-run"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error: the payload is not a Docker Hub push:\n/);
    expect(r.stderr).to.contain("[PAYLOAD_MALFORMED]");
    expect(r.stderr).not.to.match(/^\s+at /m);
    const debug = await bosun(["script", "run", script, "--payload", payload, "--dry-run"], {
      BOSUN_DEBUG: "1",
    });
    expect(debug.stderr).to.match(/^\s+at /m);
  });

  it("serve refuses an invalid config, naming file, line and path", async () => {
    const file = join(t.dir, "bad.yaml");
    writeFileSync(file, "projects:\n  - name: x\n    script: ./a.js\n    concurency: 2\n");
    const r = await bosun(["serve", "--config", file, "--port", "0"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`${file}:4:5: unknown key "concurency" at projects[0]`);
    expect(r.stderr).to.match(/ \[CONFIG_INVALID\]\n$/);
  });
});
