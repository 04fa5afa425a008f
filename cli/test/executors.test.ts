/** Each project's jobs run where its config says: the host's shell, or a Kubernetes cluster. */
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
