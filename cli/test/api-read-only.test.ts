/**
 * A read-only token (server.readOnlyTokens) reads everything the API offers and changes nothing: every
 * other method is refused 403 READ_ONLY_TOKEN before any route runs. Also the dashboard's own reads:
 * who is asking, health with the queue's depth, and runs by status, a page at a time.
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "./support/in-process.js";

const VIEW_TOKEN = "view-only-token-0123456789";
const CONFIG = `server:
  readOnlyTokens: ["${VIEW_TOKEN}", "another-view-token-abcdef"]
projects:
  - name: hub
    script: ./ok.js
    webhookToken: read-only-webhook-token
    subscriptions: [{ registry: dockerhub }]
    events: [{ source: ci, types: [done] }]
`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };

describe("API: read-only tokens", function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(CONFIG, FILES, { worker: false });
  });
  after(() => t?.dispose());

  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${t.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("reads projects, events, runs and health with a read-only token", async () => {
    for (const path of ["/projects", "/projects/hub", "/events", "/runs", "/health", "/deliveries"]) {
      const res = await call("GET", path, VIEW_TOKEN);
      expect(res.status, path).to.equal(200);
    }
    expect(await (await call("GET", "/session", VIEW_TOKEN)).json()).to.deep.equal({ access: "read" });
    expect(await (await call("GET", "/session", t.server.adminToken)).json()).to.deep.equal({
      access: "admin",
    });
  });

  it("refuses every change from a read-only token with 403 READ_ONLY_TOKEN, and stores nothing", async () => {
    const changes: [string, string, unknown][] = [
      ["POST", "/events", { project: "hub", source: "ci", type: "done" }],
      ["POST", "/projects/hub/trigger", { registry: "dockerhub", repository: "a/b", tag: "v1" }],
      ["PUT", "/projects/hub/credentials", {}],
      ["DELETE", "/projects/hub/credentials/registry/x", undefined],
      ["POST", "/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun", {}],
      ["POST", "/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/retry", {}],
      ["POST", "/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel", {}],
      ["POST", "/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel", {}],
      ["POST", "/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV/redeliver", {}],
    ];
    for (const [method, path, body] of changes) {
      const res = await call(method, path, VIEW_TOKEN, body);
      const answer = (await res.json()) as { error: { code: string } };
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(answer.error.code).to.equal("READ_ONLY_TOKEN");
    }
    expect(await t.server.store.listEvents()).to.deep.equal([]);
  });

  it("lets a read-only token ask POST /explain, which changes nothing", async () => {
    const res = await call("POST", "/explain", VIEW_TOKEN, {
      project: "hub",
      registry: "dockerhub",
      repository: "team/app",
      tag: "v1",
    });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.include({ project: "hub", takes: true });
  });

  it("still lets the admin token make changes, and refuses a wrong token 401", async () => {
    const res = await call("POST", "/events", t.server.adminToken, {
      project: "hub",
      source: "ci",
      type: "done",
    });
    expect(res.status).to.equal(201);
    expect((await call("GET", "/runs", "not-a-token-of-this-server")).status).to.equal(401);
    expect((await call("GET", "/runs", "")).status).to.equal(401);
  });

  it("answers health with the store's status and the queue's depth", async () => {
    const health = await (await call("GET", "/health", VIEW_TOKEN)).json();
    // The event of the previous test waits: this server has no worker.
    expect(health).to.deep.equal({ store: { status: "ok" }, queue: { queued: 1, running: 0 } });
  });

  it("lists runs by status (queued among them) and a page at a time, refusing an unknown status 400", async () => {
    const [event] = await t.server.store.listEvents();
    const runs = [];
    for (let attempt = 1; attempt <= 3; attempt++)
      runs.push(
        await t.server.store.createRun({ eventId: event!.id, project: "hub", attempt, handler: "script" }),
      );
    await t.server.store.finishRun(runs[1]!.id, "failed");
    const list = async (query: string) =>
      (
        (await (await call("GET", `/runs?${query}`, VIEW_TOKEN)).json()) as { runs: { id: string }[] }
      ).runs.map((r) => r.id);
    expect(await list("status=failed")).to.deep.equal([runs[1]!.id]);
    // Queued is a status too (a rerun or retry waiting for a worker): none here, and not refused.
    expect(await list("status=queued")).to.deep.equal([]);
    expect(await list(`limit=1&before=${runs[2]!.id}`)).to.deep.equal([runs[1]!.id]);
    const bad = await call("GET", "/runs?status=exploded", VIEW_TOKEN);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal("QUERY_INVALID");
  });
});
