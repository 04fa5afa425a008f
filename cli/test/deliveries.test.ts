/**
 * The delivery log through the API and the CLI, against a server in this process: listing with
 * filters and paging, a delivery with the runs that followed, explain, and redelivery.
 */
import { expect } from "chai";
import type { Run } from "@bosun/core";
import type { Delivery } from "@bosun/store";
import { registryFor } from "@bosun/gateways";
import { bosunCli } from "./support/bosun-cli.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "hook-token-0123456789";
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("pushed " + e.payload.length));\n`;
const CONFIG = `
server: { deliveries: { keep: 100, maxBodyBytes: 64KiB } }
projects:
  - name: webapp
    script: ./brigade.js
    webhookToken: ${TOKEN}
    subscriptions:
      - { registry: dockerhub, repositories: ["team/app*"], tags: ["v*", "!*-rc*"] }
  - name: gather
    script: ./brigade.js
    webhookToken: ${TOKEN}
    subscriptions:
      - { registry: harbor, runPer: digest, window: 1m }
`;

describe("deliveries: API and CLI", function () {
  this.timeout(60_000);
  let t: TestServer;
  const dockerHub = registryFor("dockerhub")!;

  const push = async (repository: string, tag: string) => {
    const request = dockerHub.synthesize({ repository, tag, pusher: "alice" }, TOKEN);
    const response = await fetch(`${t.url}/events/dockerhub/webapp?${request.query.toString()}`, {
      method: "POST",
      headers: request.headers as Record<string, string>,
      body: request.body,
    });
    return response.status;
  };
  const call = async (method: string, path: string, body?: unknown, token = t.server.adminToken) => {
    const response = await fetch(`${t.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const cli = (args: string[]) =>
    bosunCli([...args, "--server", t.url], { BOSUN_TOKEN: t.server.adminToken });

  beforeEach(async () => {
    t = await startTestServer(CONFIG, { "brigade.js": SCRIPT });
  });
  afterEach(() => t.dispose());

  it("lists deliveries newest first with filters and paging, without bodies, behind the admin token", async () => {
    expect(await push("team/app", "v1")).to.equal(202);
    expect(await push("team/x", "v1")).to.equal(200);
    expect(await push("team/app", "v2-rc1")).to.equal(200);
    const all = await call("GET", "/deliveries");
    const list = all.json.deliveries as Delivery[];
    expect(list.map((d) => d.outcome)).to.deep.equal(["ignored", "ignored", "accepted"]);
    expect(list[0]).to.not.have.property("body");
    const ignored = await call("GET", "/deliveries?outcome=ignored&repository=team/x");
    expect((ignored.json.deliveries as Delivery[]).map((d) => d.images)).to.deep.equal([
      [{ repository: "team/x", tag: "v1" }],
    ]);
    const page = await call("GET", "/deliveries?limit=2");
    expect(page.json.next).to.equal(list[1]!.id);
    const rest = await call("GET", `/deliveries?limit=2&before=${String(page.json.next)}`);
    expect((rest.json.deliveries as Delivery[]).map((d) => d.id)).to.deep.equal([list[2]!.id]);
    // A wrong parameter is answered as the other listings answer it, naming each one.
    const wrong = await call("GET", "/deliveries?outcome=maybe&since=yesterday&limit=0");
    expect(wrong.status).to.equal(400);
    expect((wrong.json.error as { code: string }).code).to.equal("QUERY_INVALID");
    const problems = wrong.json.problems as { code: string; path: string; found: string }[];
    expect(problems.map((p) => [p.code, p.path, p.found])).to.deep.equal([
      ["QUERY_INVALID", "since", "yesterday"],
      ["QUERY_INVALID", "limit", "0"],
      ["QUERY_INVALID", "outcome", "maybe"],
    ]);
    expect((await call("GET", "/deliveries", undefined, "wrong-token-0123456789")).status).to.equal(401);
  });

  it("shows a delivery with its body and the runs that followed", async () => {
    await push("team/app", "v1");
    const [accepted] = (await call("GET", "/deliveries")).json.deliveries as Delivery[];
    const runs = await t.api.finishedRuns(`?event=${accepted!.eventIds[0]}`);
    const shown = await call("GET", `/deliveries/${accepted!.id}`);
    expect(shown.json.body).to.be.a("string").that.includes("team/app");
    expect((shown.json.runs as Run[]).map((r) => r.id)).to.deep.equal(runs.map((r) => r.id));
    expect(JSON.stringify(shown.json)).to.not.include(TOKEN);
    expect((await call("GET", "/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).to.equal(404);

    const text = await cli(["deliveries", "show", accepted!.id]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.include(`delivery ${accepted!.id}`).and.include("outcome accepted");
    expect(text.stdout).to.include(runs[0]!.id);
  });

  it("explains a push and a recorded delivery, each subscription with its reason", async () => {
    const verdict = await call("POST", "/explain", {
      project: "webapp",
      registry: "dockerhub",
      repository: "team/app",
      tag: "v1.2-rc1",
    });
    expect(verdict.json).to.deep.include({
      takes: false,
      reasons: ["subscription 1: tag v1.2-rc1 excluded by !*-rc*"],
    });
    expect(
      (await call("POST", "/explain", { project: "webapp", registry: "nexus", repository: "a" })).status,
    ).to.equal(400);
    expect(
      (await call("POST", "/explain", { project: "nobody", registry: "quay", repository: "a" })).status,
    ).to.equal(404);

    const cliVerdict = await cli([
      "explain",
      "--project",
      "webapp",
      "--registry",
      "quay",
      "--repository",
      "team/app",
      "--tag",
      "v1",
    ]);
    expect(cliVerdict.code, cliVerdict.stderr).to.equal(0);
    expect(cliVerdict.stdout).to.include("team/app:v1: not taken");
    expect(cliVerdict.stdout).to.include("registry quay is not this subscription's (dockerhub)");

    await push("team/x", "v1");
    const [ignored] = (await call("GET", "/deliveries")).json.deliveries as Delivery[];
    expect(ignored!.ignored[0]!.reasons).to.deep.equal([
      "subscription 1: repository team/x does not match team/app*",
    ]);
    const explained = await cli(["explain", "--delivery", ignored!.id]);
    expect(explained.code, explained.stderr).to.equal(0);
    expect(explained.stdout)
      .to.include("was ignored")
      .and.include("repository team/x does not match team/app*");
  });

  it("names the event a push joined (runPer: digest) as what its duplicate delivery repeats", async () => {
    const harbor = registryFor("harbor")!;
    const digest = `sha256:${"d".repeat(64)}`;
    const pushTag = async (tag: string) => {
      const request = harbor.synthesize({ repository: "team/app", tag }, TOKEN);
      const body = JSON.parse(request.body.toString()) as { event_data: { resources: { digest: string }[] } };
      body.event_data.resources[0]!.digest = digest;
      const response = await fetch(`${t.url}/events/harbor/gather`, {
        method: "POST",
        headers: request.headers as Record<string, string>,
        body: JSON.stringify(body),
      });
      return response.status;
    };
    expect(await pushTag("latest")).to.equal(202);
    expect(await pushTag("v1.2.3")).to.equal(202);
    const [joined, first] = (await call("GET", "/deliveries?project=gather")).json.deliveries as Delivery[];
    expect(first!.outcome).to.equal("accepted");
    expect(joined).to.deep.include({ outcome: "duplicate", eventIds: [], duplicateOf: first!.eventIds });
    const shown = await cli(["deliveries", "show", joined!.id]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.include(`repeats events ${first!.eventIds[0]}`);
  });

  it("redelivers through the gateway as a new delivery replaying the old, and lists it from the CLI", async () => {
    await push("team/app", "v1");
    const [first] = (await call("GET", "/deliveries")).json.deliveries as Delivery[];
    const again = await call("POST", `/deliveries/${first!.id}/redeliver`, {});
    expect(again.status).to.equal(201);
    const replay = again.json.delivery as Delivery;
    // The same body is the same event: the registry's own retries are deduplicated alike.
    expect(replay).to.include({ outcome: "duplicate", replayOf: first!.id });
    expect(replay.duplicateOf).to.deep.equal(first!.eventIds);
    expect((await call("POST", "/deliveries/01ARZ3NDEKTSV4RRFFQ69G5FAV/redeliver", {})).status).to.equal(404);

    const viaCli = await cli(["deliveries", "redeliver", first!.id]);
    expect(viaCli.code, viaCli.stderr).to.equal(0);
    expect(viaCli.stdout).to.match(new RegExp(`replays ${first!.id}: duplicate`));
    const listed = await cli(["deliveries", "list", "--outcome", "duplicate", "--json"]);
    expect(listed.code, listed.stderr).to.equal(0);
    const page = JSON.parse(listed.stdout) as { deliveries: Delivery[] };
    expect(page.deliveries).to.have.length(2);
    expect(page.deliveries.every((d) => d.replayOf === first!.id)).to.equal(true);
  });
});
