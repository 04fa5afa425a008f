/**
 * Each project's jobs run where its config says: the host's shell, or a Kubernetes cluster; and an
 * executor's job slots are shared between projects.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "executor-choice-token";
const SCRIPT = `const { events, Job } = require("brigadier");
events.on("image_push", async () => {
  const job = new Job("build", "ignored-on-the-host", ["echo built in $(pwd)", "echo token=$TOKEN"]);
  job.env = { TOKEN: "host-secret-value" };
  console.log((await job.run()).toString());
});
`;

describe("executor choice per project", function () {
  this.timeout(60_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(
      [
        "kubernetes: { kubeconfig: ./no-such-kubeconfig }",
        "projects:",
        `  - { name: on-host, script: ./brigade.js, executor: host, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }], secrets: { T: host-secret-value } }`,
        `  - { name: on-cluster, script: ./brigade.js, executor: kubernetes, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }`,
      ].join("\n"),
      { "brigade.js": SCRIPT },
    );
  });
  after(async () => t?.dispose());

  const trigger = (project: string) =>
    fetch(`${t.url}/api/v1/projects/${project}/trigger`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ registry: "dockerhub", repository: "team/app", tag: "v1" }),
    });

  it("executor: host runs the job's tasks with the host's shell, in a directory of its own", async () => {
    expect((await trigger("on-host")).status).to.equal(202);
    const [run] = await t.api.finishedRuns("?project=on-host");
    expect(run!.status, JSON.stringify(run!.error)).to.equal("succeeded");
    const log = await t.api.logs(run!.id, "build");
    expect(log).to.match(/built in \/\S*host-jobs\//);
    expect(log).to.contain("token=***");
  });

  it("executor: kubernetes without a reachable cluster fails the job, saying why", async () => {
    expect((await trigger("on-cluster")).status).to.equal(202);
    const [run] = await t.api.finishedRuns("?project=on-cluster");
    expect(run!.status).to.equal("failed");
    expect(run!.jobs[0]!.error).to.deep.include({ code: "EXECUTOR_UNAVAILABLE" });
    expect(run!.jobs[0]!.error!.message).to.contain("no Kubernetes cluster to run jobs on");
    expect(run!.jobs[0]!.error!.message).to.contain("kubernetes.kubeconfig");
  });
});

describe("job slots shared between projects", function () {
  this.timeout(90_000);
  let t: TestServer;
  let active: string;

  // Each flood job counts the flood's jobs running at that moment (itself included).
  const flood = (dir: string) => `const { events, Job } = require("brigadier");
events.on("image_push", async () => {
  const jobs = Array.from({ length: 60 }, (_, i) => {
    const job = new Job("flood-" + i, "ignored", ["touch $D/$$", "echo active=$(ls $D | wc -l)", "sleep 0.3", "rm $D/$$"]);
    job.env = { D: ${JSON.stringify(dir)} };
    return job.run();
  });
  await Promise.all(jobs);
});
`;
  const quiet = `const { events, Job } = require("brigadier");
events.on("image_push", async () => { await new Job("hello", "ignored", ["echo hello"]).run(); });
`;

  before(async () => {
    active = mkdtempSync(join(tmpdir(), "bosun-flood-"));
    t = await startTestServer(
      [
        "jobs: { maxConcurrent: 4 }",
        "projects:",
        `  - { name: flood, script: ./flood.js, executor: host, webhookToken: ${TOKEN}, jobs: { maxConcurrentPerRun: 100 }, subscriptions: [{ registry: dockerhub }] }`,
        `  - { name: quiet, script: ./quiet.js, executor: host, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }`,
      ].join("\n"),
      { "flood.js": flood(active), "quiet.js": quiet },
    );
  });
  after(async () => {
    await t?.dispose();
    if (active) rmSync(active, { recursive: true, force: true });
  });

  const trigger = (project: string) =>
    fetch(`${t.url}/api/v1/projects/${project}/trigger`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ registry: "dockerhub", repository: "team/app", tag: "v1" }),
    });

  it("a project flooding the host executor holds at most its share of the slots, and another project's job starts meanwhile", async () => {
    expect((await trigger("flood")).status).to.equal(202);
    await t.api.runsWhen("?project=flood", (runs) => runs.length === 1);
    const quietAt = Date.now();
    expect((await trigger("quiet")).status).to.equal(202);
    const [quietRun] = await t.api.finishedRuns("?project=quiet", 1, 20_000);
    expect(quietRun!.status).to.equal("succeeded");
    // Generous: the flood's 60 jobs take about 5 s at three at a time.
    expect(Date.now() - quietAt).to.be.below(4_000);
    const [floodNow] = await t.api.runs("?project=flood");
    expect(floodNow!.status, "the flood is still going when the other project's job is done").to.equal(
      "running",
    );

    const [floodRun] = await t.api.finishedRuns("?project=flood", 1, 60_000);
    expect(floodRun!.status).to.equal("succeeded");
    let most = 0;
    for (const job of floodRun!.jobs) {
      const log = await t.api.logs(floodRun!.id, job.name);
      most = Math.max(most, Number(/active=\s*(\d+)/.exec(log)?.[1] ?? 0));
    }
    // jobs.maxConcurrent 4: one project holds all but a quarter of them.
    expect(most).to.be.within(1, 3);
  });
});
