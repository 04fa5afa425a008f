/**
 * A Brigade v2 script through real parts: Docker Hub's webhook body to `bosun serve`'s Docker Hub
 * gateway, the project's `brigade.sh/dockerhub` `push` handler in the sandbox, its job in a Podman
 * container, and the run recorded with the job's output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { ensureTestImage, startDockerSocket, TEST_IMAGE, type DockerSocket } from "@bosun/test-support";
import { realFixture } from "./support/fixtures.js";
import { BosunProcess } from "./support/bosun-process.js";

const TOKEN = "e2e-dockerhub-v2-token";

const SCRIPT = `
const { events, Job, logger } = require("@brigadecore/brigadier");
events.on("brigade.sh/dockerhub", "push", async (event) => {
  const pushed = JSON.parse(event.payload);
  logger.info("v2 push of " + event.qualifiers.repo + ":" + event.labels.tag + " by " + pushed.push_data.pusher);
  const job = new Job("announce", "${TEST_IMAGE}", ["echo deploying " + event.qualifiers.repo + ":" + event.labels.tag]);
  const result = await job.run();
  logger.info("job said: " + result.toString());
});
`;

describe("end to end: Docker Hub push → bosun serve → a v2 handler → Podman", function () {
  this.timeout(180_000);
  let socket: DockerSocket;
  let bosun: BosunProcess;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    bosun = await BosunProcess.start({
      config: [
        "docker:",
        `  socket: ${socket.socketPath}`,
        "projects:",
        "  - name: hub",
        "    script: ./brigade.js",
        `    webhookToken: ${TOKEN}`,
        "    subscriptions: [{ registry: dockerhub, repositories: [svendowideit/*] }]",
      ].join("\n"),
      files: { "brigade.js": SCRIPT },
    });
  });

  after(async () => {
    await bosun?.dispose();
    await socket?.stop();
  });

  it("runs the brigade.sh/dockerhub push handler with v2's qualifiers and labels, its job in a container", async () => {
    const body = readFileSync(join(realFixture("registries/dockerhub"), "docs_current_push.json"));
    const res = await fetch(`${bosun.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status, await res.clone().text()).to.equal(202);
    const { accepted } = (await res.json()) as { accepted: string[] };
    const [run] = await bosun.api.finishedRuns(`?event=${accepted[0]}`, 1, 120_000);
    expect(run!.status, JSON.stringify(run)).to.equal("succeeded");
    expect(run!.jobs.map((j) => [j.name, j.image, j.status, j.exitCode])).to.deep.equal([
      ["announce", TEST_IMAGE, "succeeded", 0],
    ]);
    expect(await bosun.api.logs(run!.id, "announce")).to.contain("deploying svendowideit/testhook:latest");
    const log = await bosun.api.logs(run!.id);
    expect(log).to.contain("v2 push of svendowideit/testhook:latest by trustedbuilder\n");
    expect(log).to.contain("job said: deploying svendowideit/testhook:latest\n");
  });
});
