/**
 * `bosun serve` answering bad input: tokens, malformed payloads, broken and hostile scripts, a store
 * that cannot commit. Each must get a clear answer while the server keeps serving.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { realFixture } from "./support/fixtures.js";
import { pruneRuns } from "../src/server/retention.js";
import { startTestServer, type TestServer } from "./support/in-process.js";
import { BosunProcess } from "./support/bosun-process.js";

const TOKEN = "serve-test-token";
const CONFIG = `
projects:
  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
  - { name: throws, script: ./throws.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
  - name: loops
    script: ./loops.js
    webhookToken: ${TOKEN}
    subscriptions: [{ registry: dockerhub }]
    timeouts: { script: 1s }
`;
const FILES = {
  "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", (e, p) => console.log(p.name + " got " + e.image.ref));\n`,
  "throws.js": `const { events } = require("brigadier");\n\nevents.on("image_push", () => {\n  throw new Error("deploy target missing");\n});\n`,
  "loops.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {\n  for (;;) {}\n});\n`,
};
const PUSH = JSON.stringify({
  push_data: { tag: "v1", pusher: "me", pushed_at: 1700000000 },
  repository: { repo_name: "team/app", name: "app", namespace: "team" },
});

describe("bosun serve: answers and outcomes", function () {
  this.timeout(60_000);
  let t: TestServer;
  const post = (
    path: string,
    body: string,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => fetch(`${t.url}${path}`, { method: "POST", headers, body });

  before(async () => {
    t = await startTestServer(CONFIG, FILES);
  });
  after(async () => t?.dispose());

  it("keeps its data directory (store, admin token, workspaces, caches) to its own user: 0700", () => {
    expect((statSync(t.config.dataDir).mode & 0o777).toString(8)).to.equal("700");
  });

  it("answers a wrong token, a missing token and an unknown project with the same 401", async () => {
    const answers = await Promise.all(
      [
        `/events/dockerhub/hub?access_token=wrong-token-1`,
        `/events/dockerhub/hub`,
        `/events/dockerhub/nobody?access_token=${TOKEN}`,
      ].map(async (path) => {
        const res = await post(path, PUSH);
        return { status: res.status, body: await res.text() };
      }),
    );
    expect(answers.map((a) => a.status)).to.deep.equal([401, 401, 401]);
    expect(new Set(answers.map((a) => a.body)).size).to.equal(1);
    expect(JSON.parse(answers[0]!.body).error.code).to.equal("UNAUTHORIZED");
    expect(await t.api.events()).to.have.length(0);
  });

  it("answers malformed JSON with a 400 that names the problem", async () => {
    const res = await post(`/events/dockerhub/hub?access_token=${TOKEN}`, '{"push_data": {"tag": "v1"');
    expect(res.status).to.equal(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).to.equal("PAYLOAD_MALFORMED");
    expect(error.message).to.match(/JSON/);
  });

  it("runs the project's script for every real Docker Hub push payload in fixtures/", async () => {
    const dir = realFixture("registries/dockerhub");
    const pushes = readdirSync(dir).filter((f) => f.endsWith(".json") && !f.includes("callback"));
    expect(pushes.length).to.be.greaterThan(0);
    for (const file of pushes) {
      const res = await post(
        `/events/dockerhub/hub?access_token=${TOKEN}`,
        readFileSync(join(dir, file), "utf8"),
      );
      expect(res.status, file).to.equal(202);
      const { accepted } = (await res.json()) as { accepted: string[] };
      const [run] = await t.api.finishedRuns(`?event=${accepted[0]}`);
      expect(run!.status, file).to.equal("succeeded");
      expect(await t.api.logs(run!.id), file).to.contain("hub got docker.io/svendowideit/testhook:latest");
    }
  });

  it("answers Docker Hub's callback-response sample (not a webhook) with a 400", async () => {
    const body = readFileSync(
      join(realFixture("registries/dockerhub"), "docs_legacy_callback_response.json"),
      "utf8",
    );
    const res = await post(`/events/dockerhub/hub?access_token=${TOKEN}`, body);
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: { path?: string } }).error.path).to.equal("push_data");
  });

  it("records a script that throws as failed, with its message and the script's own line", async () => {
    const res = await post(`/events/dockerhub/throws?access_token=${TOKEN}`, PUSH);
    expect(res.status).to.equal(202);
    const [run] = await t.api.finishedRuns("?project=throws");
    expect(run!.status).to.equal("failed");
    expect(run!.error!.message).to.contain("deploy target missing");
    expect(run!.error!.stack).to.match(/throws\.js:4/);
    expect((await fetch(`${t.url}/healthz`)).status).to.equal(200);
  });

  it("times out a script that loops forever, and keeps serving other projects", async () => {
    await post(`/events/dockerhub/loops?access_token=${TOKEN}`, PUSH);
    const [run] = await t.api.finishedRuns("?project=loops");
    expect(run!.status).to.equal("timed_out");
    const res = await post(`/events/dockerhub/hub?access_token=${TOKEN}`, PUSH.replace('"v1"', '"v2"'));
    expect(res.status).to.equal(202);
    const { accepted } = (await res.json()) as { accepted: string[] };
    const [after] = await t.api.finishedRuns(`?event=${accepted[0]}`);
    expect(after!.status).to.equal("succeeded");
  });

  it("answers 503 with Retry-After while the store cannot commit, and 202 once it can", async () => {
    const lock = new DatabaseSync(join(t.dir, "data", "bosun.db"));
    lock.exec("BEGIN EXCLUSIVE");
    let res: Response;
    try {
      res = await post(`/events/dockerhub/hub?access_token=${TOKEN}`, PUSH.replace('"v1"', '"v3"'));
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
    expect(res.status).to.equal(503);
    expect(res.headers.get("retry-after")).to.match(/^\d+$/);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("STORE_UNAVAILABLE");
    const retry = await post(`/events/dockerhub/hub?access_token=${TOKEN}`, PUSH.replace('"v1"', '"v3"'));
    expect(retry.status).to.equal(202);
  });

  it("answers Docker Hub's callback_url with the outcome when the project enables callbacks", async () => {
    const posted: { url: string; body: unknown }[] = [];
    const hub = await startTestServer(
      `projects:\n  - { name: cb, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }], callbacks: { dockerhub: true } }\n`,
      FILES,
      {
        callbackPoster: async (url, init) => {
          posted.push({ url, body: JSON.parse(String(init.body)) });
          return new Response(null, { status: 200 });
        },
      },
    );
    try {
      const body = readFileSync(join(realFixture("registries/dockerhub"), "docs_current_push.json"), "utf8");
      const res = await fetch(`${hub.url}/events/dockerhub/cb?access_token=${TOKEN}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).to.equal(202);
      const [run] = await hub.api.finishedRuns("?project=cb");
      for (let i = 0; i < 100 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(posted).to.deep.equal([
        {
          url: "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
          body: {
            state: "success",
            description: `Bosun run ${run!.id} succeeded`,
            context: "Bosun project cb",
          },
        },
      ]);
    } finally {
      await hub.dispose();
    }
  });

  it("prunes runs past a project's log retention, with their logs", async () => {
    const kept = await startTestServer(
      `projects:\n  - { name: short, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }], logRetention: [{ tasks: "*", maxBuildRuns: 1 }] }\n`,
      FILES,
    );
    try {
      for (const tag of ["r1", "r2", "r3"]) {
        const res = await fetch(`${kept.url}/events/dockerhub/short?access_token=${TOKEN}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: PUSH.replace('"v1"', `"${tag}"`),
        });
        expect(res.status).to.equal(202);
        await kept.api.finishedRuns("?project=short", ["r1", "r2", "r3"].indexOf(tag) + 1);
      }
      const before = await kept.api.runs("?project=short");
      expect(await pruneRuns(kept.server.store, [kept.config.projects[0]!])).to.equal(2);
      const after = await kept.api.runs("?project=short");
      expect(after.map((r) => r.id)).to.deep.equal([before[0]!.id]);
      expect(await kept.server.store.readLogs({ runId: before[2]!.id })).to.deep.equal([]);
    } finally {
      await kept.dispose();
    }
  });

  it("serves health, readiness and Prometheus metrics", async () => {
    expect((await fetch(`${t.url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${t.url}/readyz`)).status).to.equal(200);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/bosun_gateway_requests_total\{registry="dockerhub",status="202"\} \d+/);
    expect(metrics).to.match(/bosun_events_accepted_total\{registry="dockerhub"\} \d+/);
  });

  it("refuses the API without the admin token", async () => {
    const res = await fetch(`${t.url}/api/v1/events`);
    expect(res.status).to.equal(401);
    const wrong = await fetch(`${t.url}/api/v1/events`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).to.equal(401);
  });

  it("takes the admin token under the Bearer scheme in any case (RFC 9110)", async () => {
    const token = t.server.adminToken;
    const statuses = await Promise.all(
      [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `bearer nope`, `Basic ${token}`, token].map(
        async (authorization) =>
          (await fetch(`${t.url}/api/v1/events`, { headers: { authorization } })).status,
      ),
    );
    expect(statuses).to.deep.equal([200, 200, 200, 401, 401, 401]);
  });
});

describe("bosun serve: projects whose files are missing", function () {
  this.timeout(60_000);
  let bosun: BosunProcess | undefined;
  after(async () => bosun?.dispose());

  it("starts, and warns of each script or Dispatchfile path that is not there", async () => {
    bosun = await BosunProcess.start({
      config: `projects:
  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
  - { name: ghost, script: ./gone.js, dispatchfile: ./ci/Dispatchfile, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
`,
      files: { "ok.js": FILES["ok.js"] },
    });
    // The log is written asynchronously: its lines may come after the "listening" line.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (bosun.stderr.match(/does not exist/g) ?? []).length < 2)
      await new Promise((r) => setTimeout(r, 50));
    expect(bosun.stderr).to.contain(
      `project \\"ghost\\": its script ${join(bosun.dir, "gone.js")} does not exist`,
    );
    expect(bosun.stderr).to.contain(
      `project \\"ghost\\": its dispatchfile ${join(bosun.dir, "ci", "Dispatchfile")} does not exist`,
    );
    expect(bosun.stderr).not.to.contain(`project \\"hub\\"`);
  });
});
