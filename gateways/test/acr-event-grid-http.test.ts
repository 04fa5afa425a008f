/** Event Grid's two subscription handshakes, over HTTP: both must succeed before any event arrives. */
import { expect } from "chai";
import { dockerHub } from "../src/index.js";
import { acr } from "../src/acr/gateway.js";
import { ecr } from "../src/ecr/gateway.js";
import { expectError } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";
import type { RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

describe("ACR gateway: Event Grid subscription handshakes", () => {
  let db: TestStore;
  let server: RunningGateway;
  beforeEach(async () => {
    db = await openTestStore();
    server = await startGateway({ store: db.store, registries: [acr, dockerHub, ecr] });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  const options = (path: string, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: "OPTIONS", headers });

  it("echoes the validation code of the Event Grid schema as validationResponse, storing nothing", async () => {
    const reply = await send(server.url, {
      path: `/events/acr/${PROJECT}`,
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: ownFixture("acr", "eventgrid_validation.json"),
    });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.json).to.deep.equal({
      validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      accepted: [],
      ignored: 1,
    });
    expect(await db.events()).to.have.length(0);
  });

  it("does not answer the validation code without the token", async () => {
    const reply = await send(server.url, {
      path: `/events/acr/${PROJECT}`,
      headers: { "content-type": "application/json" },
      body: ownFixture("acr", "eventgrid_validation.json"),
    });
    expectError(reply, 401, "UNAUTHORIZED");
  });

  it("consents to the CloudEvents OPTIONS handshake by echoing WebHook-Request-Origin", async () => {
    for (const project of [PROJECT, "nobody"]) {
      const reply = await options(`/events/acr/${project}`, {
        "WebHook-Request-Origin": "eventgrid.azure.net",
      });
      expect(reply.status, project).to.equal(200);
      expect(reply.headers.get("webhook-allowed-origin")).to.equal("eventgrid.azure.net");
      expect(reply.headers.get("webhook-allowed-rate")).to.equal("*");
      expect(reply.headers.get("allow")).to.include("POST");
    }
  });

  it("refuses a handshake without a DNS name as origin", async () => {
    const origins: Record<string, string>[] = [{}, { "WebHook-Request-Origin": "evil.example/<script>" }];
    for (const headers of origins) {
      const reply = await options(`/events/acr/${PROJECT}`, headers);
      expect(reply.status).to.equal(400);
      expect(reply.headers.get("webhook-allowed-origin")).to.equal(null);
      expect(((await reply.json()) as { error: { path: string } }).error.path).to.equal(
        "WebHook-Request-Origin",
      );
    }
  });

  it("leaves OPTIONS for registries without the handshake to the server", async () => {
    const reply = await options(`/events/dockerhub/${PROJECT}`, {
      "WebHook-Request-Origin": "eventgrid.azure.net",
    });
    expect(reply.headers.get("webhook-allowed-origin")).to.equal(null);
  });

  it("challenges for Basic credentials where a registry sends them only when asked (SNS)", async () => {
    const body = ownFixture("ecr", "sns_notification_push.json");
    const path = `/events/ecr/${PROJECT}`;
    const contentType = "text/plain; charset=UTF-8";
    const refused = await send(server.url, { path, headers: { "content-type": contentType }, body });
    expectError(refused, 401, "UNAUTHORIZED");
    expect(refused.headers.get("www-authenticate")).to.match(/^Basic realm=/);
    const authorization = `Basic ${Buffer.from(`sns:${TOKEN}`).toString("base64")}`;
    const accepted = await send(server.url, {
      path,
      headers: { "content-type": contentType, authorization },
      body,
    });
    expect(accepted.status, accepted.text).to.equal(202);
    const acrRefused = await send(server.url, {
      path: `/events/acr/${PROJECT}`,
      headers: { "content-type": "application/json" },
      body: ownFixture("acr", "push.json"),
    });
    expect(acrRefused.headers.get("www-authenticate")).to.equal(null);
  });
});
