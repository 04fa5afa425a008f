/**
 * A store that cannot be read or written is answered alike on every endpoint: 503 STORE_UNAVAILABLE
 * with Retry-After, from the admin API as from the gateways and /readyz, and without the data's path.
 */
import { expect } from "chai";
import { RETRY_AFTER_SECONDS } from "@bosun/core";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "unavailable-store-token";
const CONFIG = `projects:\n  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };
const PUSH = JSON.stringify({
  push_data: { tag: "v1", pusher: "me", pushed_at: 1700000000 },
  repository: { repo_name: "team/app", name: "app", namespace: "team" },
});

describe("bosun serve: every endpoint while the store is unavailable", function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(CONFIG, FILES, { worker: false });
    await t.server.store.close();
  });
  after(() => t?.dispose());

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${t.server.adminToken}`, ...init.headers },
    });

  async function expectUnavailable(res: Response, what: string): Promise<void> {
    const body = await res.text();
    expect(res.status, `${what}: ${body}`).to.equal(503);
    expect(res.headers.get("retry-after"), what).to.equal(String(RETRY_AFTER_SECONDS));
    expect((JSON.parse(body) as { error: { code: string } }).error.code, what).to.equal("STORE_UNAVAILABLE");
    expect(body, what).to.not.contain(t.dir);
  }

  it("answers the API's store reads 503 with Retry-After, not 500", async () => {
    await expectUnavailable(await api("/events"), "GET /events");
    await expectUnavailable(await api("/events/01JAAAAAAAAAAAAAAAAAAAAAAA"), "GET /events/:id");
    await expectUnavailable(await api("/runs?project=hub"), "GET /runs");
    await expectUnavailable(await api("/runs/r1/logs"), "GET /runs/:id/logs");
  });

  it("answers the logins' routes the same", async () => {
    await expectUnavailable(await api("/credentials"), "GET /credentials");
    await expectUnavailable(
      await api("/projects/hub/credentials/docker/example.com", { method: "DELETE" }),
      "DELETE /projects/:name/credentials/...",
    );
  });

  it("answers pushes, triggers and /readyz 503 with Retry-After as before", async () => {
    await expectUnavailable(
      await fetch(`${t.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: PUSH,
      }),
      "POST /events/dockerhub/hub",
    );
    await expectUnavailable(
      await api("/projects/hub/trigger", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ registry: "dockerhub", repository: "team/app", tag: "v2" }),
      }),
      "POST /projects/:name/trigger",
    );
    await expectUnavailable(await fetch(`${t.url}/readyz`), "GET /readyz");
  });

  it("still answers what needs no store, and 404 and 401 as before", async () => {
    expect((await api("/projects")).status).to.equal(200);
    expect((await fetch(`${t.url}/healthz`)).status).to.equal(200);
    const missing = await api("/projects/nope");
    expect(missing.status).to.equal(404);
    expect(missing.headers.get("retry-after")).to.equal(null);
    expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal("NOT_FOUND");
    const anonymous = await fetch(`${t.url}/api/v1/events`);
    expect(anonymous.status).to.equal(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).to.equal("UNAUTHORIZED");
  });
});
