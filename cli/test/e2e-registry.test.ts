/**
 * The whole path through real parts: Debian's docker-registry notifies Bosun of a push made with
 * skopeo; the project's Brigade-style script runs a job that pulls the pushed image from that registry
 * and runs it in a Podman container; the run is recorded with the job's output and read back by the
 * `bosun` command from a process of its own. Once on SQLite (`bosun serve`), once on PostgreSQL (a
 * `bosun gateway` takes the notification, a `bosun worker` apart runs the job).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Run } from "@bosun/core";
import {
  ensureTestImage,
  freePort,
  startDockerSocket,
  startPostgres,
  startRegistry,
  type DockerSocket,
  type TestPostgres,
  type TestRegistry,
} from "@bosun/test-support";
import { bosunCli } from "./support/bosun-cli.js";
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

const STORES = [
  { name: "SQLite, bosun serve", postgres: false },
  { name: "PostgreSQL, bosun gateway and bosun worker apart", postgres: true },
];

for (const store of STORES) {
  describe(`end to end: real registry → Bosun → Podman (${store.name})`, function () {
    this.timeout(180_000);
    let socket: DockerSocket;
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let bosun: BosunProcess;
    let processes: BosunProcess[] = [];

    before(async () => {
      ensureTestImage();
      socket = await startDockerSocket();
      if (store.postgres) postgres = await startPostgres();
      ({ registry, bosun, processes } = await startRegistryAndBosun({
        socket,
        project: "e2e",
        token: TOKEN,
        handler: "script: ./brigade.js",
        files: { "brigade.js": SCRIPT },
        storeUrl: postgres?.url,
      }));
    });

    after(async () => {
      for (const p of processes) await p.dispose();
      await registry?.stop();
      await postgres?.stop();
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

      // Read back by the bosun command, a process of its own pointed at the API.
      const env = {
        BOSUN_SERVER: bosun.url,
        BOSUN_TOKEN: readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim(),
      };
      const listed = await bosunCli(["runs", "list", "--project", "e2e", "--json"], env);
      expect(listed.code, listed.stderr).to.equal(0);
      expect((JSON.parse(listed.stdout) as Run[]).map((r) => [r.id, r.status])).to.deep.equal([
        [run!.id, "succeeded"],
      ]);
      const jobLog = await bosunCli(["logs", run!.id, job.name], env);
      expect(jobLog.code, jobLog.stderr).to.equal(0);
      expect(jobLog.stdout).to.contain("pushed image says hello");
      expect(jobLog.stdout).to.match(/BusyBox v\d/);
      const runLog = await bosunCli(["logs", run!.id], env);
      expect(runLog.code, runLog.stderr).to.equal(0);
      expect(runLog.stdout).to.contain(
        `handler saw ${registry.host}/team/app:v1.2.3 from distribution for e2e`,
      );
      expect(runLog.stdout).to.contain("job output: pushed image says hello");
    });
  });
}

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
