import { expect } from "chai";
import type { ScriptOutcome } from "../src/index.js";
import { execEvent, fixture, runFixture } from "./sandbox-harness.test.js";

function failed(outcome: ScriptOutcome) {
  expect(outcome.status).to.equal("failed");
  if (outcome.status !== "failed") throw new Error("unreachable");
  return outcome.error;
}

const releasePush = (tag: string) =>
  execEvent({
    type: "image_push",
    provider: "dockerhub",
    image: { registry: "docker.io", repository: "org/app", tag, ref: `docker.io/org/app:${tag}` },
  });

describe("sandbox: scripts that fail", function () {
  this.timeout(20_000);

  it("a handler that throws: failed, with the message and a stack in the script's own file and line", async () => {
    const run = await runFixture(fixture("handler-throws", "brigade.js"), { event: releasePush("nightly") });
    const error = failed(run.outcome);
    expect(error.code).to.equal("SCRIPT_FAILED");
    expect(error.message).to.equal("tag nightly is not a release");
    const frames = error.stack!.split("\n");
    expect(frames[0]).to.equal("Error: tag nightly is not a release");
    expect(frames[1]).to.match(/^\s+at check \(brigade\.js:5:\d+\)$/);
    expect(frames[2]).to.match(/^\s+at brigade\.js:10:\d+$/);
    expect(error.stack).to.not.include("bosun-bundle.js");
    expect(run.output()).to.equal("error event: handlerError: tag nightly is not a release\n");
  });

  it("the same script succeeds when nothing throws", async () => {
    const run = await runFixture(fixture("handler-throws", "brigade.js"), { event: releasePush("v1.0.0") });
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.output()).to.equal("after must not fire\n");
  });

  it("a handler that throws a non-Error: failed, describing the value", async () => {
    const error = failed((await runFixture(fixture("throws-non-error", "brigade.js"))).outcome);
    expect(error.code).to.equal("SCRIPT_FAILED");
    expect(error.message).to.equal('a non-Error value was thrown: {"reason":"not an Error"}');
  });

  it("a rejection nobody handles fails the run and fires error, as in Brigade", async () => {
    const run = await runFixture(fixture("unhandled-rejection", "brigade.js"), {
      answer: () => ({ outcome: "failed", exitCode: 1 }),
    });
    const error = failed(run.outcome);
    expect(error.message).to.equal('unhandled rejection: job "detached" failed with exit code 1');
    expect(run.output()).to.equal("error event: unhandledRejection\n");
  });

  it("a throw at the top level: failed while loading, with the line", async () => {
    const error = failed((await runFixture(fixture("top-level-throws", "brigade.js"))).outcome);
    expect(error.message).to.match(/^the script failed while loading: .*JSON/);
    expect(error.stack).to.match(/brigade\.js:3:\d+/);
  });

  it("Node globals are not there, and the failure says where things are instead", async () => {
    const run = await runFixture(fixture("node-globals", "brigade.js"));
    expect(run.output()).to.equal("undefined undefined undefined undefined undefined\n");
    const error = failed(run.outcome);
    expect(error.message).to.match(/^process is not defined \(.*p\.secrets/);
    expect(error.stack).to.match(/brigade\.js:6:\d+/);
  });

  it("an exception thrown in a timer fails the run as an uncaught exception", async () => {
    const error = failed((await runFixture(fixture("hostile", "timer-throws.js"))).outcome);
    expect(error.message).to.equal("uncaught exception: thrown in a timer");
    expect(error.stack).to.match(/timer-throws\.js:5:\d+/);
  });
});
