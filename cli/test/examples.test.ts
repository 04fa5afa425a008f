/** The example projects run as a user would run them, with real containers. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { JobRecord, Run } from "@bosun/core";
import { ensureTestImage, startDockerSocket, type DockerSocket } from "@bosun/test-support";
import { REPO_ROOT, realFixture } from "./support/fixtures.js";

const run = promisify(execFile);
type Result = Run & { jobs: JobRecord[]; log: string };

describe("examples", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let dir: string;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    dir = mkdtempSync(join(tmpdir(), "bosun-examples-"));
  });
  after(async () => {
    await socket?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A Distribution notification for localhost/busybox:test, the image built for the tests. */
  function localPush(tag = "test"): string {
    const payload = join(dir, `push-${tag}.json`);
    const target = {
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      digest: `sha256:${"a".repeat(64)}`,
      repository: "busybox",
      tag,
    };
    const event = {
      id: "example-1",
      timestamp: new Date().toISOString(),
      action: "push",
      target,
      request: { host: "localhost", method: "PUT" },
      actor: {},
    };
    writeFileSync(payload, JSON.stringify({ events: [event] }));
    return payload;
  }

  async function runExample(script: string, ...flags: string[]): Promise<Result> {
    return runWith(script, ["--payload", localPush(), "--registry", "distribution", ...flags]);
  }

  async function runWith(script: string, flags: string[]): Promise<Result> {
    const args = [
      "--no-node-snapshot",
      join(REPO_ROOT, "cli/bin/bosun.js"),
      "script",
      "run",
      join(REPO_ROOT, script),
    ];
    const { stdout } = await run(process.execPath, [...args, "--json", ...flags], {
      env: { ...process.env, DOCKER_HOST: `unix://${socket.socketPath}` },
      timeout: 100_000,
    });
    return (JSON.parse(stdout) as Result[])[0]!;
  }

  it("smoke-test: the Brigade script runs the pushed image in a container", async () => {
    const result = await runExample("examples/smoke-test/brigade.js");
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs.map((j) => [j.name, j.image, j.status, j.exitCode])).to.deep.equal([
      ["smoke", "localhost/busybox:test", "succeeded", 0],
    ]);
    expect(result.log).to.contain("smoke-testing localhost/busybox:test (pushed to distribution)");
    expect(result.log).to.match(
      /smoke test of localhost\/busybox:test said: smoke test running inside \S+\n\d+\nok/,
    );
  });

  it("acr-deploy: the TypeScript script runs a concurrent stage then a deploy, its secret kept out of the logs", async () => {
    const result = await runExample(
      "examples/acr-deploy/bosun.ts",
      "--secret",
      "DEPLOY_TOKEN=tok-3f9a-secret",
    );
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs.map((j) => [j.name, j.status])).to.have.deep.members([
      ["verify", "succeeded"],
      ["scan", "succeeded"],
      ["deploy", "succeeded"],
    ]);
    expect(result.jobs.at(-1)!.name).to.equal("deploy");
    expect(result.jobs.find((j) => j.name === "deploy")!.envNames).to.include("DEPLOY_TOKEN");
    expect(result.log).to.contain(
      "deployed busybox:test: deploying localhost/busybox:test with a token of 15 characters",
    );
    expect(JSON.stringify(result)).not.to.contain("tok-3f9a-secret");
  });

  it("v2-pipeline: Brigade v2 jobs share a workspace, reach a sidecar on localhost, and a fallible job fails alone", async function () {
    const result = await runExample("examples/v2-pipeline/brigade.js");
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs.map((j) => [j.name, j.status, j.exitCode])).to.have.deep.members([
      ["write", "succeeded", 0],
      ["read", "succeeded", 0],
      ["probe", "succeeded", 0],
      ["optional", "failed", 4],
    ]);
    expect(result.jobs[0]!.name).to.equal("write");
    expect(result.log).to.contain("read said: built-by-write");
    expect(result.log).to.contain("probe said: hello-from-sidecar");
  });

  it("v2-dockerhub: the v2 push handler rolls out a registry's push in a container", async () => {
    const result = await runExample("examples/v2-dockerhub/bosun.ts");
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs.map((j) => [j.name, j.image, j.status, j.exitCode])).to.deep.equal([
      ["rollout", "localhost/busybox:test", "succeeded", 0],
    ]);
    expect(result.log).to.contain("local: deploying localhost/busybox:test (brigade.sh/distribution push)");
    expect(result.log).to.contain(
      "rollout of localhost/busybox:test said: rolling out localhost/busybox:test",
    );
  });

  it("v2-dockerhub: a Docker Hub push reaches the brigade.sh/dockerhub handler, naming the image on docker.io", async () => {
    const result = await runWith("examples/v2-dockerhub/bosun.ts", [
      "--payload",
      join(realFixture("registries"), "dockerhub", "docs_current_push.json"),
      "--registry",
      "dockerhub",
      "--dry-run",
    ]);
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs.map((j) => [j.name, j.image, j.status])).to.deep.equal([
      ["rollout", "docker.io/svendowideit/testhook:latest", "dry_run"],
    ]);
    expect(result.log).to.contain("(brigade.sh/dockerhub push)");
  });

  it("v2-dockerhub: bosun script run --type exec reaches its brigade.sh/cli handler", async () => {
    const result = await runWith("examples/v2-dockerhub/bosun.ts", ["--type", "exec"]);
    expect(result.status, result.error?.message).to.equal("succeeded");
    expect(result.jobs).to.deep.equal([]);
    expect(result.log).to.equal("local deploys Docker Hub and registry pushes; asked by brigade.sh/cli\n");
  });

  it("v2-npm-deps: the TypeScript script's own npm dependency is installed, and a release is announced in a container", async () => {
    // The test image under a release tag, as a registry would hold a release.
    await run("podman", ["tag", "localhost/busybox:test", "localhost/busybox:1.4.0"]);
    try {
      const result = await runWith("examples/v2-npm-deps/bosun.ts", [
        ...["--payload", localPush("1.4.0"), "--registry", "distribution"],
      ]);
      expect(result.status, result.error?.message).to.equal("succeeded");
      expect(result.jobs.map((j) => [j.name, j.image, j.status, j.exitCode])).to.deep.equal([
        ["announce", "localhost/busybox:1.4.0", "succeeded", 0],
      ]);
      expect(result.log).to.contain("localhost/busybox:1.4.0 is release 1.4.0");
      const other = await runExample("examples/v2-npm-deps/bosun.ts");
      expect(other.jobs).to.deep.equal([]);
      expect(other.log).to.contain("busybox:test is not a release");
    } finally {
      await run("podman", ["rmi", "localhost/busybox:1.4.0"]).catch(() => undefined);
    }
  });
});
