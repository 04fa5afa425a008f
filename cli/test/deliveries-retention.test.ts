/**
 * The delivery log stays bounded under a flood, against the real `bosun serve`: a few hundred
 * ignored webhook requests leave only the newest `keep` deliveries, the API and `bosun deliveries
 * list` show just those, and pruning (by count, then by age) leaves the events and runs alone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Delivery } from "@bosun/store";
import { registryFor } from "@bosun/gateways";
import { bosunCli } from "./support/bosun-cli.js";
import { BosunProcess } from "./support/bosun-process.js";

const TOKEN = "retention-hook-token-0123";
const KEEP = 20;
const MAX_AGE_MS = 2_000;
const FLOOD = 300;
const CONFIG = `
server: { deliveries: { keep: ${KEEP}, maxAge: ${MAX_AGE_MS}ms } }
projects:
  - name: webapp
    script: ./brigade.js
    webhookToken: ${TOKEN}
    subscriptions:
      - { registry: dockerhub, repositories: ["team/app"], tags: ["v*"] }
`;
const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => console.log("pushed"));\n`;

describe("deliveries: retention under a flood (bosun serve)", function () {
  this.timeout(180_000);
  let bosun: BosunProcess;
  const dockerHub = registryFor("dockerhub")!;

  const push = async (tag: string) => {
    const request = dockerHub.synthesize({ repository: "team/app", tag, pusher: "alice" }, TOKEN);
    const response = await fetch(`${bosun.url}/events/dockerhub/webapp?${request.query.toString()}`, {
      method: "POST",
      headers: request.headers as Record<string, string>,
      body: request.body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  const deliveries = async () =>
    (await bosun.api.get<{ deliveries: Delivery[] }>("/deliveries?limit=1000")).deliveries;
  const cliList = async () => {
    const token = readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim();
    const out = await bosunCli(["deliveries", "list", "--limit", "1000", "--server", bosun.url], {
      BOSUN_TOKEN: token,
    });
    expect(out.code, out.stderr).to.equal(0);
    return out.stdout.split("\n").filter((line) => /^[0-9A-Z]{26}\s/.test(line));
  };

  before(async () => {
    bosun = await BosunProcess.start({ config: CONFIG, files: { "brigade.js": SCRIPT } });
  });
  after(() => bosun?.dispose());

  it("keeps the newest deliveries only, then prunes those past maxAge, leaving events and runs", async () => {
    for (const tag of ["v1", "v2", "v3"]) expect(await push(tag)).to.equal(202);
    // A flood nobody's subscription takes, several requests at a time.
    const tags = Array.from({ length: FLOOD }, (_, i) => `nightly-${i}`);
    for (let i = 0; i < tags.length; i += 20) {
      const statuses = await Promise.all(tags.slice(i, i + 20).map(push));
      expect(statuses.every((s) => s === 200)).to.equal(true);
    }
    for (const tag of ["v4", "v5"]) expect(await push(tag)).to.equal(202);

    const kept = await deliveries();
    expect(kept.length)
      .to.be.at.most(KEEP)
      .and.at.least(KEEP - 8);
    // The newest: the two accepted after the flood, then requests of the flood's last batch.
    expect(kept.slice(0, 2).map((d) => d.images[0]!.tag)).to.deep.equal(["v5", "v4"]);
    const lastBatch = new Set(tags.slice(FLOOD - 20));
    expect(kept.slice(2).filter((d) => !lastBatch.has(d.images[0]!.tag!))).to.deep.equal([]);
    expect(kept.slice(2).every((d) => d.outcome === "ignored")).to.equal(true);
    const listed = await cliList();
    expect(listed.map((line) => line.slice(0, 26))).to.deep.equal(kept.map((d) => d.id));

    // The accepted pushes' events and runs are untouched by the count's pruning.
    const runs = await bosun.api.finishedRuns("?project=webapp", 5);
    expect(runs.every((r) => r.status === "succeeded")).to.equal(true);
    const events = await bosun.api.events("webapp");
    expect(events.map((e) => e.image?.tag).sort()).to.deep.equal(["v1", "v2", "v3", "v4", "v5"]);

    // Age: each pass (at start, then every few minutes) drops deliveries past maxAge. Once the newest
    // is older than that, a restart runs a pass.
    const newest = Date.parse(kept[0]!.receivedAt);
    while (Date.now() <= newest + MAX_AGE_MS) await new Promise((r) => setTimeout(r, 100));
    await bosun.stop();
    await bosun.restart();
    expect(await push("v6")).to.equal(202);
    const deadline = Date.now() + 30_000;
    let left = await deliveries();
    while (left.length > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = await deliveries();
    }
    expect(left.map((d) => d.images[0]!.tag)).to.deep.equal(["v6"]);
    expect((await cliList()).map((line) => line.slice(0, 26))).to.deep.equal([left[0]!.id]);
    expect((await bosun.api.events("webapp")).length).to.equal(6);
    expect((await bosun.api.finishedRuns("?project=webapp", 6)).length).to.equal(6);
  });
});
