/**
 * The server serves the dashboard's files at `/` without a token (they hold no data), held by a
 * Content-Security-Policy to the server itself, and small: the first load's budget is 300 KB, most
 * of it left for the API's answers. `bosun worker`, which has the API, serves them too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { BosunProcess } from "./support/bosun-process.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const CONFIG = `projects:\n  - { name: hub, script: ./ok.js, webhookToken: serving-webhook-token, subscriptions: [{ registry: dockerhub }] }\n`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };

describe("bosun serve: the dashboard's files", function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(CONFIG, FILES, { worker: false });
  });
  after(() => t?.dispose());

  it("serves the page at / with a policy that allows only the server itself", async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.contain("text/html");
    const policy = res.headers.get("content-security-policy") ?? "";
    expect(policy).to.contain("default-src 'none'");
    expect(policy).to.contain("script-src 'self'");
    expect(policy).to.contain("connect-src 'self'");
    expect(policy).to.contain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
    const html = await res.text();
    expect(html).to.contain('src="app.js"');
    expect(html).not.to.match(/https?:\/\//);
  });

  it("keeps the page's files, together, well under the first load's 300 KB", async () => {
    let bytes = 0;
    for (const file of ["", "app.js", "app.css"]) {
      const res = await fetch(`${t.url}/${file}`);
      expect(res.status, file).to.equal(200);
      bytes += (await res.arrayBuffer()).byteLength;
    }
    expect(bytes).to.be.below(100 * 1024);
  });

  it("leaves webhooks, the API and unknown paths as they were", async () => {
    expect((await fetch(`${t.url}/api/v1/runs`)).status).to.equal(401);
    const missing = await fetch(`${t.url}/no-such-file.js`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).to.equal("NOT_FOUND");
  });
});

describe("bosun worker: the dashboard and its API", function () {
  this.timeout(60_000);
  let worker: BosunProcess;

  before(async () => {
    worker = await BosunProcess.start({ command: ["worker"], config: CONFIG, files: FILES });
  });
  after(() => worker?.dispose());

  it("serves the page at / and the API it reads, behind the token; no webhooks", async () => {
    const page = await fetch(`${worker.url}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-security-policy") ?? "").to.contain("default-src 'none'");
    expect(await page.text()).to.contain('src="app.js"');
    expect((await fetch(`${worker.url}/app.js`)).status).to.equal(200);

    expect((await fetch(`${worker.url}/api/v1/runs`)).status).to.equal(401);
    expect(await worker.api.runs()).to.deep.equal([]);
    expect(await worker.api.get("/session")).to.deep.equal({ access: "admin" });
    expect(await worker.api.get("/deliveries")).to.deep.equal({ deliveries: [] });
    const stream = new AbortController();
    const live = await fetch(`${worker.url}/api/v1/stream`, {
      headers: { authorization: `Bearer ${readToken(worker)}` },
      signal: stream.signal,
    });
    expect(live.headers.get("content-type")).to.contain("text/event-stream");
    stream.abort();

    const hook = await fetch(`${worker.url}/events/dockerhub/hub?token=serving-webhook-token`, {
      method: "POST",
      body: "{}",
    });
    expect(hook.status).to.equal(404);
  });
});

function readToken(p: BosunProcess): string {
  return readFileSync(join(p.dir, "data", "admin-token"), "utf8").trim();
}
