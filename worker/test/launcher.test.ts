/** The job launcher: project policy before any job runs, a job record for every job, labels, secrets. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  createRedactor,
  type Executor,
  type JobSpec,
  type ProjectConfig,
  type ProjectCredentials,
} from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
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
    ["a privileged sidecar", { sidecars: [{ name: "db", image: "busybox", env: {}, privileged: true }] }],
  ] as [string, Partial<JobSpec>][]) {
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

describe("job launcher: a run's job limits", () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-launcher-limits-"));
    store = await openSqliteStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An executor whose jobs run until `finishAll` (then at once); `state` counts them. */
  function heldExecutor() {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const state = { running: 0, most: 0, started: 0 };
    const executor: Executor = {
      kind: "docker",
      run: async () => {
        state.started++;
        state.most = Math.max(state.most, ++state.running);
        await gate;
        state.running--;
        const at = new Date().toISOString();
        return { outcome: "succeeded", exitCode: 0, output: "", startedAt: at, finishedAt: at };
      },
    };
    return { executor, state, finishAll: async () => open() };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  async function launcherFor(executor: Executor, jobs: ProjectConfig["jobs"]) {
    const run = await store.createRun({ eventId: "e1", project: "p", attempt: 1, handler: "script" });
    const logs = new LogWriter(store, createRedactor([]));
    const launchJob = createJobLauncher({ store, executor, project: { ...project(false), jobs }, run, logs });
    const start = (name: string) =>
      launchJob({ name, image: "i", tasks: ["true"], env: {}, labels: {} }, new AbortController().signal);
    return { run, logs, start };
  }

  it("runs at most maxConcurrentPerRun of a run's jobs at once; the others wait, then run", async () => {
    const { executor, state, finishAll } = heldExecutor();
    const { start } = await launcherFor(executor, { maxPerRun: 100, maxConcurrentPerRun: 3 });
    const results = Array.from({ length: 10 }, (_, i) => start(`j${i}`));
    await settle();
    expect(state.running).to.equal(3);
    await finishAll();
    const done = await Promise.all(results);
    expect(done.map((r) => r.outcome)).to.deep.equal(Array(10).fill("succeeded"));
    expect(state).to.deep.include({ most: 3, started: 10 });
  });

  it("refuses a job past maxPerRun at once with JOB_INVALID, saying so once in the run's log", async () => {
    const { executor, state, finishAll } = heldExecutor();
    const { run, logs, start } = await launcherFor(executor, { maxPerRun: 5, maxConcurrentPerRun: 5 });
    const first = Array.from({ length: 5 }, (_, i) => start(`j${i}`));
    await settle();
    const refused = await Promise.all(Array.from({ length: 1_000 }, (_, i) => start(`over${i}`)));
    expect(state.started).to.equal(5);
    expect(refused[0]!.outcome).to.equal("failed");
    expect(refused[0]!.error).to.deep.include({ code: "JOB_INVALID" });
    expect(refused[0]!.error!.message).to.contain("has already started 5 jobs");
    expect(refused[0]!.error!.message).to.contain("jobs.maxPerRun");
    expect(new Set(refused.map((r) => r.error?.code))).to.deep.equal(new Set(["JOB_INVALID"]));
    await finishAll();
    await Promise.all(first);
    await logs.flush();
    const log = (await store.readLogs({ runId: run.id })).map((e) => e.text).join("");
    expect(log.split("jobs.maxPerRun")).to.have.length(2);
    expect((await store.listJobs(run.id)).map((j) => j.name)).to.deep.equal(["j0", "j1", "j2", "j3", "j4"]);
  });

  it("without limits in the project's config, a run may start 500 jobs, 4 at a time", async () => {
    const { executor, state, finishAll } = heldExecutor();
    const { start } = await launcherFor(executor, undefined);
    const results = Array.from({ length: 501 }, (_, i) => start(`j${i}`));
    await settle();
    expect(state.running).to.equal(4);
    await finishAll();
    const outcomes = (await Promise.all(results)).map((r) => r.error?.code ?? r.outcome);
    expect(outcomes.filter((o) => o === "succeeded")).to.have.length(500);
    expect(outcomes[500]).to.equal("JOB_INVALID");
  });
});
