/** The shared HTTP handling, apart from any one registry: routing, errors, logging hooks. */
import { expect } from "chai";
import express from "express";
import type { AcceptResult, Store } from "@bosun/store";
import { REGISTRY_KINDS, StoreUnavailableError } from "@bosun/core";
import { distribution, dockerHub, REGISTRIES, registryFor } from "../src/index.js";
import { createGatewayRouter } from "../src/http/router.js";
import { expectError } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";
import { type RunningGateway, PROJECT, PROJECTS, send, startGateway, TOKEN } from "./support/server.js";
import { type TestStore, openTestStore } from "./support/store.js";

const pushBody = () => ownFixture("dockerhub", "current_push.json");
const dockerHubPath = (path = `/events/dockerhub/${PROJECT}`) => `${path}?access_token=${TOKEN}`;
const json = { "content-type": "application/json" };

/** The SQLite store with acceptEvents replaced. */
function storeFailingWith(store: Store, error: Error): Store {
  return Object.assign(Object.create(store) as Store, {
    acceptEvents: async (): Promise<AcceptResult> => {
      throw error;
    },
  });
}

/** Every registry kind that sends webhooks: all but the poller's and the CLI's. */
const WEBHOOK_KINDS = REGISTRY_KINDS.filter((k) => k !== "poll" && k !== "cli");

describe("gateway HTTP handling", () => {
  let db: TestStore;
  let server: RunningGateway;
  beforeEach(async () => {
    db = await openTestStore();
    server = await startGateway({ store: db.store, registries: REGISTRIES });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  it("lists every registry once and finds each by kind", () => {
    expect(REGISTRIES.map((g) => g.kind)).to.deep.equal(WEBHOOK_KINDS);
    expect(registryFor("dockerhub")).to.equal(dockerHub);
    expect(registryFor("distribution")).to.equal(distribution);
    expect(registryFor("nope")).to.equal(undefined);
  });

  it("answers 404 JSON for a registry it does not serve, naming the ones it does", async () => {
    const reply = await send(server.url, {
      path: dockerHubPath("/events/nexus/webapp"),
      headers: json,
      body: pushBody(),
    });
    expectError(reply, 404, "NOT_FOUND");
    expect((reply.json as { error: { expected: string } }).error.expected).to.equal(WEBHOOK_KINDS.join(", "));
    const onlyDistribution = await startGateway({ store: db.store, registries: [distribution] });
    try {
      expectError(
        await send(onlyDistribution.url, { path: dockerHubPath(), headers: json, body: pushBody() }),
        404,
        "NOT_FOUND",
      );
    } finally {
      await onlyDistribution.close();
    }
  });

  it("answers 404 JSON for a path that is not valid percent-encoding", async () => {
    const reply = await send(server.url, {
      path: "/events/dockerhub/%E0%A4%A",
      headers: json,
      body: pushBody(),
    });
    expectError(reply, 404, "NOT_FOUND");
  });

  it("keeps Brigade v1's /events/dockerhub/<project>/<commit> path", async () => {
    const reply = await send(server.url, {
      path: dockerHubPath(`/events/dockerhub/${PROJECT}/8e96db1`),
      headers: json,
      body: pushBody(),
    });
    expect(reply.status, reply.text).to.equal(202);
    expect((await db.events())[0]?.image?.ref).to.equal("docker.io/acme/webapp:v1.2.3");
  });

  it("accepts media type parameters and any case, and refuses compressed bodies with 415", async () => {
    const ok = await send(server.url, {
      path: dockerHubPath(),
      headers: { "content-type": "Application/JSON; charset=utf-8" },
      body: pushBody(),
    });
    expect(ok.status, ok.text).to.equal(202);
    const gzip = await send(server.url, {
      path: dockerHubPath(),
      headers: { ...json, "content-encoding": "gzip" },
      body: pushBody(),
    });
    expectError(gzip, 415, "CONTENT_TYPE_UNSUPPORTED");
  });

  it("answers 200 with an ignored count when a request holds no image push", async () => {
    const reply = await send(server.url, {
      path: `/events/distribution/${PROJECT}`,
      headers: { authorization: TOKEN, "content-type": "application/json" },
      body: Buffer.from('{"events": []}'),
    });
    expect(reply.status).to.equal(200);
    expect(reply.json).to.deep.equal({ accepted: [], ignored: 0 });
  });

  it("answers 500 JSON for a store failure that is not an outage, telling onError without the token", async () => {
    const reported: { error: unknown; context: object }[] = [];
    const failing = await startGateway({
      store: storeFailingWith(db.store, new Error("disk on fire")),
      registries: REGISTRIES,
      onError: (error, context) => reported.push({ error, context }),
    });
    try {
      const reply = await send(failing.url, { path: dockerHubPath(), headers: json, body: pushBody() });
      expectError(reply, 500, "INTERNAL");
      expect(reply.text).to.not.include("disk on fire");
    } finally {
      await failing.close();
    }
    expect(reported).to.have.length(1);
    expect(reported[0]?.context).to.deep.equal({ registry: "dockerhub", project: PROJECT, status: 500 });
    expect(JSON.stringify(reported[0]?.context)).to.not.include(TOKEN);
  });

  it("answers 503 for StoreUnavailableError from any store, telling onError", async () => {
    const reported: object[] = [];
    const failing = await startGateway({
      store: storeFailingWith(db.store, new StoreUnavailableError("connection refused")),
      registries: REGISTRIES,
      onError: (_error, context) => reported.push(context),
    });
    try {
      const reply = await send(failing.url, { path: dockerHubPath(), headers: json, body: pushBody() });
      expectError(reply, 503, "STORE_UNAVAILABLE");
      expect(reply.headers.get("retry-after")).to.equal("5");
    } finally {
      await failing.close();
    }
    expect(reported).to.deep.equal([{ registry: "dockerhub", project: PROJECT, status: 503 }]);
  });

  it("refuses with 500 JSON when a body parser already consumed the body", async () => {
    const app = express();
    app.use(express.raw({ type: () => true }));
    app.use(
      createGatewayRouter({
        store: db.store,
        registries: REGISTRIES,
        findProject: (name) => PROJECTS.find((p) => p.name === name),
      }),
    );
    const listening = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    const { port } = listening.address() as { port: number };
    try {
      const reply = await send(`http://127.0.0.1:${port}`, {
        path: dockerHubPath(),
        headers: json,
        body: pushBody(),
      });
      expectError(reply, 500, "INTERNAL");
    } finally {
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
    }
    expect(await db.events()).to.have.length(0);
  });

  it("answers 413 to a body far over the limit, discarding it rather than holding it", async () => {
    const small = await startGateway({ store: db.store, registries: REGISTRIES, bodyLimitBytes: 100 });
    try {
      const huge = Buffer.alloc(8 * 1024 * 1024, " ");
      expectError(
        await send(small.url, { path: dockerHubPath(), headers: json, body: huge }),
        413,
        "BODY_TOO_LARGE",
      );
      // The connection stays usable for the next delivery.
      expectError(
        await send(small.url, { path: dockerHubPath(), headers: json, body: huge }),
        413,
        "BODY_TOO_LARGE",
      );
    } finally {
      await small.close();
    }
  });
});
