/**
 * The whole path through real parts: Debian's docker-registry notifies `bosun serve` of a push made
 * with skopeo; the project's Brigade-style script runs a job that pulls the pushed image from that
 * registry and runs it in a Podman container; the run is recorded with the job's output.
 */
import { expect } from "chai";
import {
  ensureTestImage,
  freePort,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { startRegistryAndBosun } from "./support/registry-and-bosun.js";

const TOKEN = "e2e-registry-token";

const SCRIPT = `
const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  console.log("handler saw " + e.image.ref + " from " + e.provider + " for " + p.name);
  const job = new Job("run-pushed-image", e.image.ref, ["echo pushed image says hello", "cat /etc/pushed-marker 2>/dev/null || echo no-marker", "busybox | head -1"]);
  const result = await job.run();
  console.log("job output: " + result.toString());
});
`;

describe("end to end: real registry → bosun serve → Podman", function () {
  this.timeout(180_000);
  let socket: DockerSocket;
  let registry: TestRegistry;
  let bosun: BosunProcess;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    ({ registry, bosun } = await startRegistryAndBosun({
      socket,
      project: "e2e",
      token: TOKEN,
      handler: "script: ./brigade.js",
      files: { "brigade.js": SCRIPT },
    }));
  });

  after(async () => {
    await bosun?.dispose();
    await registry?.stop();
    await socket?.stop();
  });

  it("runs the pushed image in a container and records the run as succeeded with the job's output", async () => {
    const pushed = await registry.push("team/app", "v1.2.3");
    const [run] = await bosun.api.finishedRuns("?project=e2e", 1, 120_000);
    expect(run!.status, JSON.stringify(run)).to.equal("succeeded");
    expect(run!.jobs).to.have.length(1);
    const job = run!.jobs[0]!;
    expect(job).to.include({
      name: "run-pushed-image",
      image: `${registry.host}/team/app:v1.2.3`,
      status: "succeeded",
      exitCode: 0,
    });

    const [event] = await bosun.api.events("e2e");
    expect(event!.source).to.equal("distribution");
    expect(event!.image).to.include({ repository: "team/app", tag: "v1.2.3", digest: pushed.digest });

    const jobLog = await bosun.api.logs(run!.id, job.name);
    expect(jobLog).to.contain("pushed image says hello");
    expect(jobLog).to.match(/BusyBox v\d/);
    const runLog = await bosun.api.logs(run!.id);
    expect(runLog).to.contain(`handler saw ${registry.host}/team/app:v1.2.3 from distribution for e2e`);
    expect(runLog).to.contain("job output: pushed image says hello");
  });
});

describe("end to end: two projects on one real registry, subscribed to different tags", function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let bosun: BosunProcess;
  const script = (name: string) =>
    `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("${name} saw " + e.image.tag));\n`;

  before(async () => {
    const port = await freePort();
    const endpoint = (project: string) => ({
      url: `http://127.0.0.1:${port}/events/distribution/${project}`,
      headers: { Authorization: [`Bearer ${TOKEN}`] },
    });
    registry = await startRegistry({ moreEndpoints: [endpoint("releases"), endpoint("candidates")] });
    bosun = await BosunProcess.start({
      port,
      config: [
        "projects:",
        `  - { name: releases, script: ./releases.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: distribution, tags: ["v*", "!*-rc*"] }] }`,
        `  - { name: candidates, script: ./candidates.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: distribution, tags: ["*-rc*"] }] }`,
      ].join("\n"),
      files: { "releases.js": script("releases"), "candidates.js": script("candidates") },
    });
  });
  after(async () => {
    await bosun?.dispose();
    await registry?.stop();
  });

  it("each project sees exactly the pushes its tag globs accept", async () => {
    await registry.push("team/app", "v2.0.0");
    await registry.push("team/app", "v2.1.0-rc1");
    await registry.push("team/app", "latest");
    const releases = await bosun.api.finishedRuns("?project=releases", 1);
    const candidates = await bosun.api.finishedRuns("?project=candidates", 1);
    // Give any stray notification time to land before asserting that nothing else arrived.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await bosun.api.events("releases")).map((e) => e.image?.tag)).to.deep.equal(["v2.0.0"]);
    expect((await bosun.api.events("candidates")).map((e) => e.image?.tag)).to.deep.equal(["v2.1.0-rc1"]);
    expect(await bosun.api.logs(releases[0]!.id)).to.contain("releases saw v2.0.0");
    expect(await bosun.api.logs(candidates[0]!.id)).to.contain("candidates saw v2.1.0-rc1");
  });
});
