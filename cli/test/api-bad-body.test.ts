/**
 * A request body the admin API cannot read is the client's mistake: 400 (or 413 when too large) with a
 * code and what was wrong, never a 500 "internal error".
 */
import { expect } from "chai";
import { startTestServer, type TestServer } from "./support/in-process.js";

const CONFIG = `projects:\n  - { name: hub, script: ./ok.js, webhookToken: bad-body-token, subscriptions: [{ registry: dockerhub }] }\n`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };

describe("bosun serve: admin API bodies it cannot read", function () {
  this.timeout(30_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(CONFIG, FILES, { worker: false });
  });
  after(() => t?.dispose());

  const post = (path: string, body: string) =>
    fetch(`${t.url}/api/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.server.adminToken}`, "content-type": "application/json" },
      body,
    });

  async function expectError(res: Response, status: number, code: string, says: string): Promise<void> {
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    expect(body.error.message).to.contain(says);
  }

  it("answers malformed JSON to the trigger 400 PAYLOAD_MALFORMED, saying it is not JSON", async () => {
    await expectError(
      await post("/projects/hub/trigger", '{"registry": "dockerhub",'),
      400,
      "PAYLOAD_MALFORMED",
      "not valid JSON",
    );
  });

  it("answers a body over the API's limit 413 BODY_TOO_LARGE", async () => {
    const big = JSON.stringify({ registry: "dockerhub", repository: "team/app", tag: "x".repeat(200_000) });
    await expectError(
      await post("/projects/hub/trigger", big),
      413,
      "BODY_TOO_LARGE",
      "over the API's limit",
    );
  });

  it("still answers a well-formed trigger with missing fields 400, naming them", async () => {
    await expectError(
      await post("/projects/hub/trigger", "{}"),
      400,
      "PAYLOAD_MALFORMED",
      "registry, repository, tag",
    );
  });
});
