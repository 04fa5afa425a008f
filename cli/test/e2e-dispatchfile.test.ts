/**
 * A Dispatchfile through real parts: a push to Debian's docker-registry notifies `bosun serve`; the
 * project's CUE Dispatchfile clones its git resource from a real `git daemon` and runs its tasks,
 * in dependency order, in Podman containers.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import {
  ensureTestImage,
  freePort,
  startDockerSocket,
  TEST_IMAGE,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";
import type { BosunProcess } from "./support/bosun-process.js";
import { startRegistryAndBosun } from "./support/registry-and-bosun.js";

const TOKEN = "e2e-dispatchfile-token";
const GIT_DAEMON = "/usr/lib/git-core/git-daemon";

const dispatchfile = (repoUrl: string) => `#!mesosphere/dispatch-cue:v0.7
resource "src": {
  type: "git"
  param url: "${repoUrl}"
  param revision: "main"
}

task "test": {
  inputs: ["src"]
  steps: [
    {
      name: "check"
      image: "${TEST_IMAGE}"
      script: """
        cat /workspace/src/README
        echo "tested $(context.image.tag)" > /workspace/result
        """
    },
    { name: "report", image: "${TEST_IMAGE}", command: ["cat"], args: ["/workspace/result"] },
  ]
}

task "release": {
  deps: ["test"]
  steps: [{ name: "announce", image: "${TEST_IMAGE}", command: ["echo"], args: ["releasing $(context.image.tag)"] }]
}

actions: [{ tasks: ["release"], on image push: tags: ["v*", "!*-rc*"] }]
`;

function git(cwd: string, ...args: string[]): void {
  const identity = { GIT_AUTHOR_NAME: "E2E", GIT_AUTHOR_EMAIL: "e2e@example.com" };
  const env = {
    ...process.env,
    ...identity,
    GIT_COMMITTER_NAME: "E2E",
    GIT_COMMITTER_EMAIL: "e2e@example.com",
  };
  execFileSync("git", args, { cwd, env, stdio: "ignore" });
}

/** Serves `base` over git://, or falls back to file:// where git daemon is not installed. */
async function serveRepositories(
  base: string,
): Promise<{ url: (repo: string) => string; child?: ChildProcess }> {
  if (!existsSync(GIT_DAEMON)) return { url: (repo) => `file://${join(base, repo)}` };
  const port = await freePort();
  const child = spawn(
    "git",
    [
      "daemon",
      `--base-path=${base}`,
      "--export-all",
      "--reuseaddr",
      "--listen=127.0.0.1",
      `--port=${port}`,
      base,
    ],
    { stdio: "ignore" },
  );
  const url = (repo: string) => `git://127.0.0.1:${port}/${repo}`;
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync("git", ["ls-remote", url("repo")], { stdio: "ignore" });
      return { url, child };
    } catch {
      await sleep(100);
    }
  }
  child.kill();
  throw new Error("git daemon did not answer");
}

describe("end to end: real registry → bosun serve → Dispatchfile tasks in Podman", function () {
  this.timeout(180_000);
  let socket: DockerSocket;
  let registry: TestRegistry;
  let bosun: BosunProcess;
  let gitRoot: string;
  let daemon: ChildProcess | undefined;

  before(async () => {
    ensureTestImage();
    gitRoot = mkdtempSync(join(tmpdir(), "bosun-e2e-git-"));
    const repo = join(gitRoot, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet", "--initial-branch=main");
    writeFileSync(join(repo, "README"), "hello from the git resource\n");
    git(repo, "add", "README");
    git(repo, "commit", "--quiet", "-m", "readme");
    const served = await serveRepositories(gitRoot);
    daemon = served.child;

    socket = await startDockerSocket();
    ({ registry, bosun } = await startRegistryAndBosun({
      socket,
      project: "pipeline",
      token: TOKEN,
      handler: "dispatchfile: ./Dispatchfile",
      files: { Dispatchfile: dispatchfile(served.url("repo")) },
    }));
  });

  after(async () => {
    await bosun?.dispose();
    await registry?.stop();
    await socket?.stop();
    daemon?.kill();
    if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
  });

  it("runs the matched tasks in containers, in dependency order, with the git resource in the workspace", async () => {
    await registry.push("team/app", "v1.4.0");
    const [run] = await bosun.api.finishedRuns("?project=pipeline", 1, 120_000);
    const runLog = await bosun.api.logs(run!.id);
    expect(run!.status, `${JSON.stringify(run)}\n${runLog}\n${bosun.stderr}`).to.equal("succeeded");
    expect(run!.handler).to.equal("dispatchfile");
    const jobs = [...run!.jobs].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
    expect(jobs.map((j) => j.name)).to.deep.equal(["test-check", "test-report", "release-announce"]);
    expect(jobs.every((j) => j.status === "succeeded" && j.exitCode === 0)).to.equal(true);
    expect(Date.parse(jobs[2]!.startedAt!)).to.be.at.least(Date.parse(jobs[1]!.finishedAt!));

    expect(await bosun.api.logs(run!.id, "test-check")).to.contain("hello from the git resource");
    expect(await bosun.api.logs(run!.id, "test-report")).to.contain("tested v1.4.0");
    expect(await bosun.api.logs(run!.id, "release-announce")).to.contain("releasing v1.4.0");
    expect(runLog).to.contain("task test: cloned git resource src");
    expect(runLog).to.match(/task release: succeeded after/);
  });

  it("runs nothing for a tag the action excludes", async () => {
    await registry.push("team/app", "v1.5.0-rc1");
    const runs = await bosun.api.finishedRuns("?project=pipeline", 2, 120_000);
    const candidate = runs.find((r) => r.jobs.length === 0);
    expect(candidate, JSON.stringify(runs)).to.not.equal(undefined);
    expect(candidate!.status).to.equal("succeeded");
    expect(await bosun.api.logs(candidate!.id)).to.contain(
      'no action runs on image push of tag "v1.5.0-rc1" (repository team/app)',
    );
  });
});
