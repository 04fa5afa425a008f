/**
 * The pieces deployed apart over one shared store: `bosun gateway --registry <kind>` accepts only its
 * registry and runs nothing; `bosun worker` runs what the gateway accepted.
 */
import { expect } from "chai";
import { distribution, dockerHub } from "@bosun/gateways";
import { BosunProcess } from "./support/bosun-process.js";

const TOKEN = "split-deploy-token";

describe("bosun gateway and bosun worker, apart", function () {
  this.timeout(60_000);
  let gateway: BosunProcess;
  let worker: BosunProcess | undefined;

  before(async () => {
    gateway = await BosunProcess.start({
      command: ["gateway", "--registry", "distribution"],
      config: `projects:\n  - { name: app, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: distribution }, { registry: dockerhub }] }\n`,
      files: {
        "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("ran " + e.image.tag));\n`,
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await gateway?.dispose();
  });

  it("the gateway serves its registry only, and leaves what it accepts queued", async () => {
    const hub = dockerHub.synthesize({ repository: "team/app", tag: "v1" }, TOKEN);
    const refused = await fetch(`${gateway.url}/events/dockerhub/app?${hub.query.toString()}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: hub.body,
    });
    expect(refused.status).to.equal(404);

    const push = distribution.synthesize({ repository: "team/app", tag: "v2" }, TOKEN);
    const res = await fetch(`${gateway.url}/events/distribution/app`, {
      method: "POST",
      headers: push.headers as Record<string, string>,
      body: push.body,
    });
    expect(res.status).to.equal(202);
    await new Promise((r) => setTimeout(r, 500));
    const [event] = await gateway.api.events("app");
    expect(event!.state).to.equal("queued");
    expect(await gateway.api.runs()).to.deep.equal([]);
  });

  it("a worker on the same store runs it", async () => {
    worker = await BosunProcess.start({ command: ["worker"], config: "", dir: gateway.dir });
    const [run] = await worker.api.finishedRuns("?project=app");
    expect(run!.status).to.equal("succeeded");
    expect(await worker.api.logs(run!.id)).to.contain("ran v2");
  });
});
