/** The delivery log as the gateway writes it: every authenticated request, its outcome and why. */
import { expect } from "chai";
import type { ProjectConfig, Subscription } from "@bosun/core";
import type { Delivery } from "@bosun/store";
import { REGISTRIES, redeliver, registryFor, type RegistryGateway } from "../src/index.js";
import { DEFAULT_DELIVERY_LOG } from "../src/http/delivery-log.js";
import { type RunningGateway, PROJECT, projectConfig, send, startGateway, TOKEN } from "./support/server.js";
import { type TestStore, openTestStore } from "./support/store.js";

/** The request `gateway` would send for this push, addressed to `project`. */
function pushRequest(gateway: RegistryGateway, repository: string, tag: string, project = PROJECT) {
  const request = gateway.synthesize(
    { repository, tag, host: "registry.example.com", pusher: "alice" },
    TOKEN,
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const query = request.query.toString();
  return {
    path: `/events/${gateway.kind}/${project}${query ? `?${query}` : ""}`,
    headers,
    body: request.body,
  };
}

describe("gateway delivery log", () => {
  let db: TestStore;
  let server: RunningGateway | undefined;
  let projects: ProjectConfig[];
  const dockerHub = registryFor("dockerhub")!;

  const start = async (deliveryLog = DEFAULT_DELIVERY_LOG) => {
    server = await startGateway({
      store: db.store,
      registries: REGISTRIES,
      findProject: (name) => projects.find((p) => p.name === name),
      deliveryLog,
    });
    return server.url;
  };
  const withSubscriptions = (subscriptions: Subscription[]) => {
    projects = [{ ...projectConfig(PROJECT, TOKEN), subscriptions }];
  };
  const onlyDelivery = async (): Promise<Delivery> => {
    const all = await db.store.listDeliveries();
    expect(all).to.have.length(1);
    return all[0]!;
  };

  beforeEach(async () => {
    db = await openTestStore();
    projects = [projectConfig(PROJECT, TOKEN)];
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await db.close();
  });

  it("records each registry's accepted delivery with its events, and never a credential", async () => {
    const url = await start();
    for (const gateway of REGISTRIES) {
      const reply = await send(url, pushRequest(gateway, "team/app", "v1"));
      expect(reply.status, `${gateway.kind}: ${reply.text}`).to.equal(202);
      const [delivery] = await db.store.listDeliveries({ registry: gateway.kind });
      expect(delivery, gateway.kind).to.include({ outcome: "accepted", project: PROJECT });
      expect(delivery!.eventIds).to.deep.equal((reply.json as { accepted: string[] }).accepted);
      expect(delivery!.images).to.deep.include({ repository: "team/app", tag: "v1" });
      expect(JSON.stringify(delivery), gateway.kind).to.not.include(TOKEN);
      for (const name of Object.keys(delivery!.headers))
        expect(name, gateway.kind).to.not.match(/auth|signature|token|secret|cookie/);
    }
  });

  it("keeps the headers that say what a delivery was", async () => {
    const url = await start();
    const ghcr = pushRequest(registryFor("ghcr")!, "team/app", "v1");
    await send(url, { ...ghcr, headers: { ...ghcr.headers, "user-agent": "GitHub-Hookshot/abc" } });
    const delivery = await onlyDelivery();
    expect(delivery.headers).to.include({ "x-github-event": "package", "user-agent": "GitHub-Hookshot/abc" });
    expect(delivery.headers).to.have.property("x-github-delivery");
    expect(delivery.headers["content-type"]).to.match(/^application\/json/);
  });

  it("records a push no subscription takes as ignored, with each subscription's reason", async () => {
    withSubscriptions([
      { registry: "dockerhub", repositories: [], tags: ["v*", "!*-rc*"] },
      { registry: "dockerhub", repositories: ["team/app*"], tags: [] },
      { registry: "quay", repositories: [], tags: [] },
    ]);
    const url = await start();
    const reply = await send(url, pushRequest(dockerHub, "team/x", "v1.2-rc1"));
    expect(reply.status).to.equal(200);
    const delivery = await onlyDelivery();
    expect(delivery.outcome).to.equal("ignored");
    expect(delivery.eventIds).to.deep.equal([]);
    expect(delivery.ignored).to.have.length(1);
    expect(delivery.ignored[0]!.what).to.include("team/x:v1.2-rc1");
    expect(delivery.ignored[0]!.reasons).to.deep.equal([
      "subscription 1: tag v1.2-rc1 excluded by !*-rc*",
      "subscription 2: repository team/x does not match team/app*",
    ]);
  });

  it("records a push its subscription's tag policy declines as ignored, with the policy's reason, not as a duplicate", async () => {
    withSubscriptions([{ registry: "dockerhub", repositories: [], tags: [], policy: { order: "semver" } }]);
    const url = await start();
    expect((await send(url, pushRequest(dockerHub, "team/app", "v1.3.0"))).status).to.equal(202);
    const older = await send(url, pushRequest(dockerHub, "team/app", "v1.2.0"));
    expect(older.status).to.equal(200);
    const [declined, taken] = await db.store.listDeliveries();
    expect(taken).to.include({ outcome: "accepted" });
    expect(declined).to.include({ outcome: "ignored" });
    expect(declined!.eventIds).to.deep.equal([]);
    expect(declined!.duplicateOf).to.deep.equal([]);
    expect(declined!.ignored).to.have.length(1);
    expect(declined!.ignored[0]!.what).to.include("team/app:v1.2.0");
    expect(declined!.ignored[0]!.reasons).to.deep.equal(["v1.2.0 is older than the best tag v1.3.0"]);
    expect(await db.store.listDeliveries({ outcome: "ignored" })).to.have.length(1);
  });

  it("says when the project has no subscription for the registry at all", async () => {
    withSubscriptions([{ registry: "dockerhub", repositories: [], tags: [] }]);
    const url = await start();
    expect((await send(url, pushRequest(registryFor("quay")!, "team/app", "v1"))).status).to.equal(200);
    expect((await onlyDelivery()).ignored[0]!.reasons).to.deep.equal(["no subscription for registry quay"]);
  });

  it("records a repeat as duplicate of the event it repeats", async () => {
    const url = await start();
    const request = pushRequest(dockerHub, "team/app", "v1");
    const first = await send(url, request);
    await send(url, request);
    const [again] = await db.store.listDeliveries();
    expect(again).to.include({ outcome: "duplicate" });
    expect(again!.duplicateOf).to.deep.equal((first.json as { accepted: string[] }).accepted);
  });

  it("records payload problems as rejected, and nothing for a request that failed authentication", async () => {
    const url = await start();
    const good = pushRequest(dockerHub, "team/app", "v1");
    const reply = await send(url, { ...good, body: Buffer.from("{not json") });
    expect(reply.status).to.equal(400);
    const delivery = await onlyDelivery();
    expect(delivery.outcome).to.equal("rejected");
    expect(delivery.problem?.code).to.equal("PAYLOAD_MALFORMED");
    expect(delivery.body).to.equal("{not json");
    const wrongToken = good.path.replace(TOKEN, "not-the-token");
    expect((await send(url, { ...good, path: wrongToken })).status).to.equal(401);
    const unknownProject = pushRequest(dockerHub, "team/app", "v1", "nobody");
    expect((await send(url, unknownProject)).status).to.equal(401);
    await onlyDelivery();
  });

  it("keeps only the first maxBodyBytes of a body it holds alone, marked truncated", async () => {
    withSubscriptions([{ registry: "dockerhub", repositories: ["team/app"], tags: [] }]);
    const url = await start({ ...DEFAULT_DELIVERY_LOG, maxBodyBytes: 16 });
    const ignored = pushRequest(dockerHub, "team/x", "v1");
    expect((await send(url, ignored)).status).to.equal(200);
    expect(await onlyDelivery()).to.include({
      bodyTruncated: true,
      body: ignored.body.subarray(0, 16).toString(),
    });
    // An accepted delivery's body is its event's payload, stored whole anyway: shown whole.
    const accepted = pushRequest(dockerHub, "team/app", "v1");
    expect((await send(url, accepted)).status).to.equal(202);
    const [latest] = await db.store.listDeliveries();
    expect(latest).to.include({ outcome: "accepted", body: accepted.body.toString() });
    expect(latest).to.not.have.property("bodyTruncated");
  });

  it("keeps at most `keep` deliveries through a flood of ignored ones", async () => {
    withSubscriptions([]);
    const keep = 20;
    const url = await start({ ...DEFAULT_DELIVERY_LOG, keep });
    const flood = Array.from({ length: 3 * keep }, (_, i) =>
      send(url, pushRequest(dockerHub, "team/x", `t${i}`)),
    );
    for (const reply of await Promise.all(flood)) expect(reply.status).to.equal(200);
    const left = await db.store.listDeliveries({ limit: 1000 });
    expect(left.length).to.be.at.most(keep);
    expect(left.every((d) => d.outcome === "ignored")).to.equal(true);
  });

  it("redelivers a recorded delivery through parsing and matching again, as a new one replaying it", async () => {
    withSubscriptions([{ registry: "dockerhub", repositories: [], tags: ["release-*"] }]);
    const url = await start();
    await send(url, pushRequest(dockerHub, "team/app", "v1"));
    const ignored = await onlyDelivery();
    expect(ignored.outcome).to.equal("ignored");

    // The project now takes the tag: the same body becomes an event.
    withSubscriptions([{ registry: "dockerhub", repositories: [], tags: ["v*"] }]);
    const deps = {
      store: db.store,
      registries: REGISTRIES,
      findProject: (name: string) => projects.find((p) => p.name === name),
      bodyLimitBytes: 1024 * 1024,
    };
    const { answer, delivery } = await redeliver(deps, ignored);
    expect(answer.status).to.equal(202);
    const replay = await db.store.getDelivery(delivery!);
    expect(replay).to.include({ outcome: "accepted", replayOf: ignored.id });
    expect(replay!.eventIds).to.have.length(1);
    expect((await db.events()).map((e) => e.id)).to.deep.equal(replay!.eventIds);

    projects = [];
    expect((await redeliver(deps, ignored)).answer.status).to.equal(404);
  });
});
