/**
 * The Dispatchfile handler over the real SQLite store and real git, with a launcher that records
 * the jobs it is given (the handler's contract with jobs is `launchJob`) and plays them out.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { type JobResult, type JobSpec, type SourceRef } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { DispatchfileHandler } from "../src/handlers/dispatchfile/index.js";
import { git } from "@bosun/test-support";
import { runPush, testProject, type PushedRun } from "./support/runs.js";

const FIXTURES = new URL("../../test/fixtures/dispatchfile-run/", import.meta.url).pathname;

interface Launch {
  spec: JobSpec;
  start: number;
  end: number;
  /** What /workspace held when the job started (the files the test asks about). */
  seen: Record<string, string>;
}

/** Plays a job out: `exit N` in a script fails with N; the output is the command line. */
function recorder(watch: string[] = []) {
  const launches: Launch[] = [];
  const launch = async (spec: JobSpec): Promise<JobResult> => {
    const start = performance.now();
    const workspace = spec.mounts?.find((m) => m.target === "/workspace")?.source ?? "";
    const seen: Record<string, string> = {};
    for (const file of watch) {
      if (existsSync(join(workspace, file))) seen[file] = readFileSync(join(workspace, file), "utf8");
    }
    await sleep(40);
    const record = { spec, start, end: performance.now(), seen };
    launches.push(record);
    const at = new Date().toISOString();
    const code = /^exit (\d+)/.exec(spec.tasks[0] ?? "")?.[1];
    const output = `${[...(spec.command ?? []), ...(spec.args ?? []), ...spec.tasks].join(" ")}\n`;
    if (code) return { outcome: "failed", exitCode: Number(code), output, startedAt: at, finishedAt: at };
    return { outcome: "succeeded", exitCode: 0, output, startedAt: at, finishedAt: at };
  };
  return { launches, launch, job: (name: string) => launches.find((l) => l.spec.name === name) };
}

/** A repository with two commits of README; returns both commit ids. */
function makeRepo(dir: string, extra: Record<string, string> = {}): { first: string; second: string } {
  git(dir, "init", "--quiet", "--initial-branch=main");
  writeFileSync(join(dir, "README"), "first version\n");
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "first");
  const first = git(dir, "rev-parse", "HEAD");
  writeFileSync(join(dir, "README"), "second version\n");
  git(dir, "commit", "--quiet", "-am", "second");
  return { first, second: git(dir, "rev-parse", "HEAD") };
}

describe("Dispatchfile handler", function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-dispatchfile-"));
    store = await openSqliteStore({ dataDir: join(dir, "data") });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes `tag`, runs the project's Dispatchfile for it, returns the run and its log. */
  function push(
    dispatchfile: SourceRef,
    tag: string,
    jobs = recorder(),
    secrets: Record<string, string> = {},
  ): Promise<PushedRun> {
    const handler = new DispatchfileHandler({ workDir: join(dir, "data") });
    return runPush(
      store,
      testProject({ name: "app", dispatchfile, secrets }),
      {
        handlerFor: () => handler,
        executorFor: () => ({ kind: "docker", run: () => Promise.reject(new Error("not used")) }),
        launcherFor: () => (spec) => jobs.launch(spec),
      },
      tag,
    );
  }

  const fixture = (name: string): SourceRef => ({ path: join(FIXTURES, name) });

  it("runs tasks in dependency order, independent ones at the same time, each task once", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("diamond.cue"), "v1.2.3", jobs);
    expect(run.status, log).to.equal("succeeded");
    expect(run.handler).to.equal("dispatchfile");
    expect(jobs.launches.map((l) => l.spec.name).sort()).to.deep.equal(
      ["a-first", "b-left", "c-right", "d-one", "d-two"].sort(),
    );
    const [a, b, c, d1, d2] = ["a-first", "b-left", "c-right", "d-one", "d-two"].map((n) => jobs.job(n)!);
    expect(b!.start).to.be.at.least(a!.end);
    expect(c!.start).to.be.at.least(a!.end);
    expect(b!.start < c!.end && c!.start < b!.end, "b and c overlap").to.equal(true);
    expect(d1!.start).to.be.at.least(Math.max(b!.end, c!.end));
    expect(d2!.start).to.be.at.least(d1!.end);
    expect(d1!.spec).to.include({ image: "busybox", workingDir: "/workspace" });
    expect(d1!.spec.command).to.deep.equal(["echo"]);
    expect(d1!.spec.args).to.deep.equal(["d1"]);
    expect(a!.spec).to.deep.include({ tasks: ["echo a"], shell: "/bin/sh" });
    expect(a!.spec.mounts).to.deep.equal([
      { source: join(dir, "data", "runs", run.id, "tasks", "a"), target: "/workspace" },
    ]);
    expect(log).to.contain(
      'tag "v1.2.3" of team/app matches action(s) actions[0], actions[1] (again); tasks: a, b, c, d',
    );
    expect(log).to.match(/task d: succeeded after/);
    expect(existsSync(join(dir, "data", "runs", run.id)), "workspaces removed").to.equal(false);
  });

  it("fails the run at a failing step, naming task and step, and skips the tasks that depend on it", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("failing.yaml"), "v1", jobs);
    expect(run.status).to.equal("failed");
    expect(run.error?.code).to.equal("JOB_FAILED");
    expect(run.error?.message).to.equal(
      'task "build" step "compile" (job build-compile) failed: exited with code 3',
    );
    // lint started alongside build and finishes; nothing after the failure starts.
    expect(jobs.launches.map((l) => l.spec.name).sort()).to.deep.equal(["build-compile", "lint-check"]);
    expect(log).to.contain("task publish: skipped, it depends on build, which did not succeed");
    expect(log).to.contain("task announce: skipped, it depends on publish, which did not succeed");
    expect(log).to.contain("task lint: succeeded");
  });

  it("succeeds without running anything when no action accepts the tag, and says so", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("diamond.cue"), "v2.0.0-rc1", jobs);
    expect(run.status).to.equal("succeeded");
    expect(jobs.launches).to.have.length(0);
    expect(log).to.contain('no action runs on image push of tag "v2.0.0-rc1" (repository team/app)');
  });

  it("substitutes variables in image, command, args, env and workingDir, and takes secrets by name/key", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("variables.yaml"), "v3.1", jobs, {
      "deploy/token": "s3cr3t-token",
    });
    expect(run.status, log).to.equal("succeeded");
    const vars = jobs.job("show-vars")!.spec;
    const url = "registry.example.com/team/app:v3.1";
    expect(vars.image).to.equal(url);
    expect(vars.command).to.deep.equal(["echo", run.id]);
    expect(vars.args).to.deep.equal(["team/app", "v3.1", url, "git=[]"]);
    expect(vars.env).to.deep.equal({ DIGEST: "sha256:abc", TOKEN: "s3cr3t-token" });
    expect(vars.secretValues).to.deep.equal(["s3cr3t-token"]);
    expect(vars.workingDir).to.equal("/workspace/v3.1");
    // A shell's own $(...) is not a variable.
    expect(jobs.job("show-script")!.spec.tasks).to.deep.equal(["echo $(date) v3.1"]);
    expect(jobs.job("after-use")!.spec.args).to.deep.equal([
      `echo ${run.id} team/app v3.1 ${url} git=[]`,
      url,
    ]);
  });

  it("refuses a step with an unknown variable before it runs, naming the variable", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("unknown-variable.yaml"), "v1", jobs);
    expect(run.status).to.equal("failed");
    expect(run.error?.message).to.contain('task "show" step "typo" was not started');
    expect(run.error?.message).to.contain("unknown variable $(context.image.tagg) in script");
    expect(jobs.launches.map((l) => l.spec.name)).to.deep.equal(["show-fine"]);
    expect(log).to.contain("$(context.image.tagg)");
  });

  it("fails a step whose secret the project does not have, saying which", async () => {
    const { run } = await push(fixture("variables.yaml"), "v3.1", recorder());
    expect(run.status).to.equal("failed");
    expect(run.error?.message).to.contain('takes secret "deploy" key "token"');
  });

  it("clones a git resource at the given revision into the task's workspace before its first step", async () => {
    const repo = mkdtempSync(join(tmpdir(), "bosun-dispatchfile-repo-"));
    try {
      const { first } = makeRepo(repo);
      const text = readFileSync(join(FIXTURES, "git-resource.cue"), "utf8")
        .replace("@URL@", repo)
        .replace("@REVISION@", first);
      writeFileSync(join(dir, "Dispatchfile"), text);
      const jobs = recorder(["src/README"]);
      const { run, log } = await push({ path: join(dir, "Dispatchfile") }, "v1", jobs);
      expect(run.status, log).to.equal("succeeded");
      const read = jobs.job("build-read")!;
      expect(read.seen["src/README"]).to.equal("first version\n");
      expect(read.spec.tasks).to.deep.equal(["cat /workspace/src/README"]);
      expect(log).to.contain(
        `task build: cloned git resource src at ${first.slice(0, 12)} into /workspace/src`,
      );
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("fails the task, naming the resource, when the revision cannot be checked out", async () => {
    const repo = mkdtempSync(join(tmpdir(), "bosun-dispatchfile-repo-"));
    try {
      makeRepo(repo);
      const text = readFileSync(join(FIXTURES, "git-resource.cue"), "utf8")
        .replace("@URL@", repo)
        .replace("@REVISION@", "no-such-branch");
      writeFileSync(join(dir, "Dispatchfile"), text);
      const jobs = recorder();
      const { run } = await push({ path: join(dir, "Dispatchfile") }, "v1", jobs);
      expect(run.status).to.equal("failed");
      expect(run.error?.message).to.contain(
        'task "build": cannot clone git resource "src": git checkout failed',
      );
      expect(jobs.launches).to.have.length(0);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("reads the Dispatchfile from git and describes that checkout in $(context.git.*)", async () => {
    const repo = mkdtempSync(join(tmpdir(), "bosun-dispatchfile-repo-"));
    try {
      copyFileSync(join(FIXTURES, "from-git.cue"), join(repo, "Dispatchfile"));
      const { second } = makeRepo(repo);
      const jobs = recorder(["self/README"]);
      const source = { git: { url: repo, revision: "main", path: "Dispatchfile" } };
      const { run, log } = await push(source, "v1", jobs);
      expect(run.status, log).to.equal("succeeded");
      const show = jobs.job("show-context")!;
      expect(show.spec.args).to.deep.equal([repo, second, "main", ""]);
      expect(show.seen["self/README"]).to.equal("second version\n");
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("fails the run on a Dispatchfile that does not parse, with line and column", async () => {
    const jobs = recorder();
    const { run, log } = await push(fixture("broken.cue"), "v1", jobs);
    expect(run.status).to.equal("failed");
    expect(run.error?.code).to.equal("DISPATCHFILE_INVALID");
    expect(run.error?.message).to.contain(`${join(FIXTURES, "broken.cue")}:2:41: missing "," between fields`);
    expect(log).to.contain("cannot be run");
    expect(jobs.launches).to.have.length(0);
  });
});
