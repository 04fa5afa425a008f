/** The job launcher: project policy before any job runs, a job record for every job, labels, secrets. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  createRedactor,
  openSqliteStore,
  type Executor,
  type JobSpec,
  type ProjectConfig,
  type ProjectCredentials,
  type Store,
} from "@bosun/core";
import { createJobLauncher } from "../src/jobs/launcher.js";
import { LogWriter } from "../src/jobs/log-writer.js";

const project = (allowPrivileged: boolean): ProjectConfig => ({
  name: "p",
  secrets: { TOKEN: "project-secret-1" },
  subscriptions: [{ registry: "dockerhub", repositories: [], tags: [] }],
  executor: "docker",
  concurrency: 1,
  timeouts: { scriptMs: 60_000, jobMs: 45_000 },
  allowPrivileged,
});

describe("job launcher", () => {
  let dir: string;
  let store: Store;
  let ran: JobSpec[];
  const executor: Executor = {
    kind: "docker",
    run: async (spec) => {
      ran.push(spec);
      const at = new Date().toISOString();
      return { outcome: "succeeded", exitCode: 0, output: "ok", startedAt: at, finishedAt: at };
    },
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-launcher-"));
    store = await openSqliteStore({ dataDir: dir });
    ran = [];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function launch(spec: Partial<JobSpec>, allowPrivileged = false, credentials?: ProjectCredentials) {
    const run = await store.createRun({ eventId: "e1", project: "p", attempt: 1, handler: "script" });
    const logs = new LogWriter(store, createRedactor(["project-secret-1"]));
    const launchJob = createJobLauncher({
      store,
      executor,
      project: project(allowPrivileged),
      run,
      logs,
      credentials,
    });
    const result = await launchJob(
      { name: "j", image: "i", tasks: ["true"], env: {}, labels: {}, ...spec },
      new AbortController().signal,
    );
    await logs.flush();
    return { result, run, jobs: await store.listJobs(run.id) };
  }

  for (const [what, spec] of [
    ["privileged", { privileged: true }],
    ["the engine's socket", { dockerSocket: true }],
  ] as const) {
    it(`refuses a job asking for ${what} unless the project allows it, and records the refusal`, async () => {
      const refused = await launch(spec);
      expect(ran).to.deep.equal([]);
      expect(refused.result.outcome).to.equal("failed");
      expect(refused.result.error!.message).to.contain("set allowPrivileged: true");
      expect(refused.jobs[0]).to.deep.include({ name: "j", status: "failed" });
      const allowed = await launch(spec, true);
      expect(allowed.result.outcome).to.equal("succeeded");
      expect(ran).to.have.length(1);
    });
  }

  it("gives the executor the project's timeout, labels and secret values to redact", async () => {
    const { run, jobs } = await launch({});
    expect(ran[0]!.timeoutMs).to.equal(45_000);
    expect(ran[0]!.labels).to.deep.equal({
      "bosun.project": "p",
      "bosun.run": run.id,
      "bosun.job": jobs[0]!.id,
    });
    expect(ran[0]!.secretValues).to.include("project-secret-1");
    expect(jobs[0]).to.deep.include({ status: "succeeded", exitCode: 0 });
    expect(ran[0]).to.not.have.property("registryCredentials");
  });

  it("gives every job the project's registry logins, and every login's password to redact", async () => {
    const credentials: ProjectCredentials = {
      docker: [
        { registry: "registry.example.com", username: "ci", password: "registry-pass-1" },
        { registry: "docker.io", username: "hub", password: "hub-pass-2" },
      ],
      git: [{ host: "git.example.com", username: "bot", password: "git-token-3" }],
    };
    const own = { registry: "ghcr.io", username: "own", password: "own-pass-4" };
    await launch({}, false, credentials);
    await launch({ registryCredentials: [own], secretValues: ["job-secret"] }, false, credentials);
    expect(ran).to.have.length(2);
    expect(ran[0]!.registryCredentials).to.deep.equal(credentials.docker);
    expect(ran[1]!.registryCredentials).to.deep.equal([own, ...credentials.docker]);
    for (const spec of ran) {
      expect(spec.secretValues).to.include.members([
        "project-secret-1",
        "registry-pass-1",
        "hub-pass-2",
        "git-token-3",
      ]);
    }
    expect(ran[1]!.secretValues).to.include("job-secret");
  });
});
