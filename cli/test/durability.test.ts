/**
 * No accepted push is lost: a 2xx means committed. The server is killed with SIGKILL right after it
 * answers (and, separately, in the middle of a run); started again, it runs every accepted event.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { BosunProcess } from "./support/bosun-process.js";
import { realFixture } from "./support/fixtures.js";

const TOKEN = "durability-token";

describe("durability: SIGKILL after a 2xx", function () {
  this.timeout(120_000);
  let bosun: BosunProcess;

  afterEach(async () => bosun?.dispose());

  it("an event answered 202 is run after the server is killed and started again", async () => {
    bosun = await BosunProcess.start({
      config: `worker: { lease: 1s }\nprojects:\n  - { name: hub, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`,
      files: {
        "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("ran for " + e.image.ref));\n`,
      },
    });
    const body = readFileSync(join(realFixture("registries/dockerhub"), "docs_current_push.json"));
    const res = await fetch(`${bosun.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    // Kill in the same tick as the answer arrives: nothing after the commit may be needed.
    const killed = bosun.kill();
    expect(res.status).to.equal(202);
    const { accepted } = (await res.json()) as { accepted: string[] };
    await killed;

    await bosun.restart();
    const runs = await bosun.api.runsWhen(`?event=${accepted[0]}`, (rs) =>
      rs.some((r) => r.status === "succeeded"),
    );
    const succeeded = runs.filter((r) => r.status === "succeeded");
    expect(succeeded, JSON.stringify(runs)).to.have.length(1);
    expect(await bosun.api.logs(succeeded[0]!.id)).to.contain(
      "ran for docker.io/svendowideit/testhook:latest",
    );
  });

  it("a run cut short by SIGKILL is abandoned and the event is run again once its lease expires", async () => {
    bosun = await BosunProcess.start({
      config: `worker: { lease: 1s }\nprojects:\n  - { name: slow, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`,
      files: {
        "brigade.js": [
          `const { events } = require("brigadier");`,
          `events.on("image_push", async () => {`,
          `  console.log("started");`,
          `  await new Promise((resolve) => setTimeout(resolve, 1500));`,
          `  console.log("finished");`,
          `});`,
        ].join("\n"),
      },
    });
    const res = await fetch(`${bosun.url}/api/v1/projects/slow/trigger`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken(bosun)}`, "content-type": "application/json" },
      body: JSON.stringify({ registry: "dockerhub", repository: "team/slow", tag: "v1" }),
    });
    expect(res.status).to.equal(202);
    const { accepted } = (await res.json()) as { accepted: string[] };
    // Wait until the first attempt's run is under way, then kill the server mid-run.
    for (;;) {
      const runs = await bosun.api.runs(`?event=${accepted[0]}`);
      if (runs.length > 0 && (await bosun.api.logs(runs[0]!.id)).includes("started")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await bosun.kill();
    await bosun.restart();

    const runs = await bosun.api.finishedRuns(`?event=${accepted[0]}`, 2);
    expect(runs.map((r) => [r.attempt, r.status])).to.deep.equal([
      [2, "succeeded"],
      [1, "abandoned"],
    ]);
    expect(await bosun.api.logs(runs[0]!.id)).to.contain("finished");
  });
});

function adminToken(bosun: BosunProcess): string {
  return readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim();
}
