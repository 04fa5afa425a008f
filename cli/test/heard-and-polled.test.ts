/**
 * One push, one run across webhook and poll, through real parts: Debian's docker-registry notifies
 * `bosun serve` of a skopeo push, and the same project also polls that registry; the poll that finds
 * the pushed tag fires nothing, since the webhook's event is the same push.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { freePort, startRegistry, type TestRegistry } from "@bosun/test-support";
import { bosunCli as bosun } from "./support/bosun-cli.js";
import { BosunProcess } from "./support/bosun-process.js";

const TOKEN = "heard-and-polled-token";

describe("heard and polled: a registry's webhook and a poll of it make one run per push", function () {
  this.timeout(90_000);
  let registry: TestRegistry;
  let bosunServer: BosunProcess;
  let env: Record<string, string>;

  before(async () => {
    const port = await freePort();
    registry = await startRegistry({
      notifyUrl: `http://127.0.0.1:${port}/events/distribution/deploy`,
      notifyHeaders: { Authorization: [`Bearer ${TOKEN}`] },
      notifyIgnoredMediaTypes: ["application/octet-stream"],
    });
    bosunServer = await BosunProcess.start({
      port,
      config: [
        "registries:",
        `  - { name: internal, address: "${registry.host}", insecure: true, repositories: [team/app], interval: 1h }`,
        "projects:",
        "  - name: deploy",
        "    script: ./brigade.js",
        `    webhookToken: ${TOKEN}`,
        "    subscriptions: [{ registry: distribution, tags: ['v*'] }, { registry: poll, tags: ['v*'] }]",
      ].join("\n"),
      files: {
        "brigade.js": `require("brigadier").events.on("image_push", (e) => console.log(e.image.ref));\n`,
      },
    });
    const adminToken = readFileSync(join(bosunServer.dir, "data", "admin-token"), "utf8").trim();
    env = { BOSUN_SERVER: bosunServer.url, BOSUN_TOKEN: adminToken };
  });
  after(async () => {
    await bosunServer?.dispose();
    await registry?.stop();
  });

  it("the webhook's event runs, and the poll that finds the same tag and digest is its duplicate", async () => {
    await registry.push("team/app", "seed"); // a repository to watch; no subscription takes its tag
    const first = await bosun(["poll", "now", "--json"], env);
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)[0]).to.include({ firstScan: true, fired: 0 });

    const pushed = await registry.push("team/app", "v1");
    const [run] = await bosunServer.api.finishedRuns("?project=deploy");
    expect(run!.status).to.equal("succeeded");

    const polled = await bosun(["poll", "now", "--json"], env);
    expect(polled.code, polled.stderr).to.equal(0);
    const [scan] = JSON.parse(polled.stdout) as {
      changed: { tag: string }[];
      fired: number;
      duplicates: number;
    }[];
    expect(scan!.changed.map((c) => c.tag)).to.deep.equal(["v1"]);
    expect(scan).to.include({ fired: 0, duplicates: 1 });

    const events = await bosunServer.api.events("deploy");
    expect(events.map((e) => [e.source, e.image?.digest])).to.deep.equal([["distribution", pushed.digest]]);
    expect(await bosunServer.api.runs("?project=deploy")).to.have.length(1);
  });
});
