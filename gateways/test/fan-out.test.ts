/** One request must not fan out into an unbounded number of events, whatever the registry. */
import { expect } from "chai";
import { distribution, REGISTRIES } from "../src/index.js";
import { quay } from "../src/quay/gateway.js";
import { expectError } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";
import type { RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

const json = { "content-type": "application/json" };

/** A Quay repo_push naming `count` tags. */
function quayPush(count: number) {
  const body = JSON.parse(ownFixture("quay", "repo_push_tags_list.json").toString("utf8")) as object;
  const tags = Array.from({ length: count }, (_, i) => `v${i}`);
  return {
    path: `/events/quay/${PROJECT}?secret=${TOKEN}`,
    headers: json,
    body: Buffer.from(JSON.stringify({ ...body, updated_tags: tags })),
  };
}

/** A Distribution envelope with `pushes` manifest pushes and `pulls` pulls (which are ignored). */
function distributionBatch(pushes: number, pulls = 0) {
  const envelope = JSON.parse(ownFixture("distribution", "push_v2_envelope.json").toString("utf8")) as {
    events: { id: string; action: string; target: { tag: string } }[];
  };
  const [event] = envelope.events;
  const copy = (i: number, action: string) => ({
    ...event,
    id: `${action}-${i}`,
    action,
    target: { ...event!.target, tag: `t${i}` },
  });
  const events = [
    ...Array.from({ length: pushes }, (_, i) => copy(i, "push")),
    ...Array.from({ length: pulls }, (_, i) => copy(i, "pull")),
  ];
  return {
    path: `/events/distribution/${PROJECT}`,
    headers: { ...json, authorization: `Bearer ${TOKEN}` },
    body: Buffer.from(JSON.stringify({ events })),
  };
}

describe("gateway HTTP handling: events per request", () => {
  let db: TestStore;
  let server: RunningGateway;
  beforeEach(async () => {
    db = await openTestStore();
    server = await startGateway({ store: db.store, registries: REGISTRIES, maxEventsPerRequest: 3 });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  it("refuses with 413 a request reporting more pushes than the cap, naming it, storing none", async () => {
    for (const request of [quayPush(4), distributionBatch(4)]) {
      const reply = await send(server.url, request);
      expectError(reply, 413, "TOO_MANY_EVENTS");
      const { error } = reply.json as { error: { message: string; expected: string; found: string } };
      expect(error).to.include({ expected: "at most 3 events", found: "4 events" });
      expect(error.message).to.include("server.maxEventsPerRequest");
    }
    expect(await db.events()).to.have.length(0);
  });

  it("accepts a request at the cap, and does not count what it ignores", async () => {
    expect((await send(server.url, quayPush(3))).status).to.equal(202);
    const reply = await send(server.url, distributionBatch(1, 10));
    expect(reply.status, reply.text).to.equal(202);
    expect(reply.json).to.deep.include({ ignored: 10 });
    expect(await db.events()).to.have.length(4);
  });

  it("caps at 100 events by default", async () => {
    const defaults = await startGateway({ store: db.store, registries: [quay, distribution] });
    try {
      expectError(await send(defaults.url, quayPush(101)), 413, "TOO_MANY_EVENTS");
      expect((await send(defaults.url, distributionBatch(100))).status).to.equal(202);
    } finally {
      await defaults.close();
    }
    expect(await db.events()).to.have.length(100);
  });
});
