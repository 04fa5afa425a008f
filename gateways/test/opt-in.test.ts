/** Project opt-in at the gateway: only pushes one of the project's subscriptions accepts are stored. */
import { expect } from "chai";
import type { ProjectConfig } from "@bosun/core";
import { dockerHub, distribution } from "../src/index.js";
import { openTestStore, type TestStore } from "./support/store.js";
import { projectConfig, send, startGateway, type RunningGateway } from "./support/server.js";

const TOKEN = "opt-in-token-123";

const releases: ProjectConfig = {
  ...projectConfig("releases", TOKEN),
  subscriptions: [{ registry: "distribution", repositories: ["team/*"], tags: ["v*", "!*-rc*"] }],
};

describe("gateway: project opt-in", () => {
  let db: TestStore;
  let gateway: RunningGateway;

  beforeEach(async () => {
    db = await openTestStore();
    gateway = await startGateway({
      store: db.store,
      registries: [dockerHub, distribution],
      findProject: (name) => (name === releases.name ? releases : undefined),
    });
  });
  afterEach(async () => {
    await gateway.close();
    await db.close();
  });

  const pushOf = (repository: string, tag: string) => {
    const made = distribution.synthesize({ repository, tag }, TOKEN);
    return send(gateway.url, {
      path: "/events/distribution/releases",
      headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
      body: made.body,
    });
  };

  it("stores the pushes a subscription accepts", async () => {
    const reply = await pushOf("team/app", "v1.2.0");
    expect(reply.status).to.equal(202);
    expect((await db.events()).map((e) => e.image?.tag)).to.deep.equal(["v1.2.0"]);
  });

  it("answers 200 with the push ignored, and stores nothing, when no subscription accepts it", async () => {
    for (const [repository, tag] of [
      ["team/app", "v1.2.0-rc1"],
      ["team/app", "latest"],
      ["other/app", "v1.2.0"],
    ] as const) {
      const reply = await pushOf(repository, tag);
      expect(reply.status, `${repository}:${tag}`).to.equal(200);
      expect(reply.json).to.deep.equal({ accepted: [], ignored: 1 });
    }
    expect(await db.events()).to.deep.equal([]);
  });

  it("ignores pushes from a registry kind the project did not subscribe to", async () => {
    const made = dockerHub.synthesize({ repository: "team/app", tag: "v1.0.0" }, TOKEN);
    const reply = await send(gateway.url, {
      path: `/events/dockerhub/releases?${made.query.toString()}`,
      headers: { "content-type": "application/json" },
      body: made.body,
    });
    expect(reply.status).to.equal(200);
    expect(await db.events()).to.deep.equal([]);
  });
});
