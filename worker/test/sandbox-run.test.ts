import type { ImagePushEvent } from "@bosun/core";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scriptEventFromPush } from "../src/sandbox/isolated/host.js";
import { execEvent, fixture, repoRoot, runFixture } from "./sandbox-harness.test.js";

const dockerHubPayload = readFileSync(
  join(repoRoot, "fixtures", "registries", "dockerhub", "docs_current_push.json"),
  "utf8",
);

function dockerHubPush(): ImagePushEvent {
  return {
    id: "01HZZZZZZZZZZZZZZZZZZZZZZZ",
    project: "demo",
    source: "dockerhub",
    type: "image_push",
    image: {
      registry: "docker.io",
      repository: "svendowideit/testhook",
      tag: "latest",
      pusher: "trustedbuilder",
      ref: "docker.io/svendowideit/testhook:latest",
    },
    payload: dockerHubPayload,
    deliveryId: "d1",
    receivedAt: "2024-01-01T00:00:00Z",
  };
}

describe("sandbox: running scripts", function () {
  this.timeout(20_000);

  it("runs a Brigade script: payload, image, secrets, several handlers, job result, after", async () => {
    const event = scriptEventFromPush(dockerHubPush(), { buildID: "build-7" });
    const run = await runFixture(fixture("brigade-style", "brigade.js"), {
      event,
      project: { name: "webapp", secrets: { token: "s3cret-token" } },
    });
    expect(run.outcome).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.specs).to.have.length(1);
    const spec = run.specs[0]!;
    expect(spec).to.deep.include({
      name: "test",
      image: "docker.io/svendowideit/testhook:latest",
      tasks: ["echo testing", "./run-tests.sh"],
      env: { TOKEN: "s3cret-token", TAG: "latest" },
      shell: "/bin/sh",
      timeoutMs: 120000,
      privileged: false,
    });
    expect(run.lines).to.deep.equal([
      "pushed svendowideit/testhook:latest as docker.io/svendowideit/testhook:latest\n",
      "second handler: image_push from dockerhub for webapp (build build-7)\n",
      "test said: output of test\n",
      "after: success for image_push\n",
    ]);
  });

  it("awaits async handlers and everything they start before firing after", async () => {
    const run = await runFixture(fixture("async-handlers", "brigade.js"));
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.specs.map((s) => s.name)).to.deep.equal(["a", "b", "c"]);
    expect(run.output()).to.equal(
      [
        "first: start",
        "second: start",
        "second: done",
        "first: output of a output of b",
        "first: output of c",
        "after",
        "",
      ].join("\n"),
    );
  });

  it("runs a TypeScript script against @bosun/sdk", async () => {
    const event = scriptEventFromPush(
      { ...dockerHubPush(), image: { ...dockerHubPush().image, tag: "v2.0.0" } },
      {
        buildID: "b",
      },
    );
    const run = await runFixture(fixture("typescript", "bosun.ts"), { event });
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.specs[0]).to.deep.include({
      name: "scan",
      image: "scanner:1",
      tasks: ["scan docker.io/svendowideit/testhook:latest --severity high"],
      imagePullSecrets: ["regcred"],
      resourceLimits: { cpu: "1", memory: "512Mi" },
    });
    expect(run.output()).to.equal("demo: output of scan\n");
  });

  it("runs a script that uses an npm package from its folder", async () => {
    const run = await runFixture(fixture("npm-dep", "brigade.js"));
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.specs.map((s) => s.name)).to.deep.equal(["deploy-to-staging"]);
  });

  it("succeeds without running anything when no handler matches, and says so", async () => {
    const run = await runFixture(fixture("no-handler", "brigade.js"), {
      event: execEvent({ type: "image_push" }),
    });
    expect(run.outcome).to.deep.equal({ status: "succeeded", handled: false });
    expect(run.output()).to.include('no handler for "image_push"');
  });

  it("reports job failures to the script as rejections naming the job and exit code", async () => {
    const run = await runFixture(fixture("job-fails", "brigade.js"), {
      answer: () => ({ outcome: "failed", exitCode: 3 }),
    });
    expect(run.outcome.status).to.equal("failed");
    if (run.outcome.status !== "failed") return;
    expect(run.outcome.error.code).to.equal("JOB_FAILED");
    expect(run.outcome.error.message).to.equal('job "deploy" failed with exit code 3');
    expect(run.outcome.error.stack).to.include("brigade.js:4:");
  });

  it("gives a failed job's message without SDK-internal frames when no script frame is on the stack", async () => {
    const run = await runFixture(fixture("job-fails-returned", "brigade.js"), {
      answer: () => ({ outcome: "failed", exitCode: 3 }),
    });
    if (run.outcome.status !== "failed") throw new Error(`expected failed, got ${run.outcome.status}`);
    expect(run.outcome.error.message).to.equal('job "deploy" failed with exit code 3');
    expect(run.outcome.error.stack ?? "").not.to.include("@bosun/sdk");
    expect(run.outcome.error.stack ?? "").not.to.match(/^\s+at /m);
  });

  it("refuses malformed host calls with HOST_CALL_INVALID, in the script", async () => {
    const run = await runFixture(fixture("bad-job", "brigade.js"));
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.output()).to.include("refused: HOST_CALL_INVALID: job.image: expected a string, found number");
    expect(run.output()).to.include(
      'log refused: log: expected a level (debug, info, warn, error), found "shout"',
    );
    expect(run.specs).to.have.length(0);
  });
});
