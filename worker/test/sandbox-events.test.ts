/** v2 handlers, v1 event chains, and events of any source and type, in real isolates. */
import type { CustomEvent, ImagePushEvent } from "@bosun/core";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scriptEventOf } from "../src/sandbox/isolated/host.js";
import { fixture, repoRoot, runFixture } from "./sandbox-harness.test.js";

const body = readFileSync(
  join(repoRoot, "fixtures", "registries", "dockerhub", "docs_current_push.json"),
  "utf8",
);
const dockerHubPush: ImagePushEvent = {
  id: "01PUSH0000000000000000000A",
  project: "demo",
  source: "dockerhub",
  type: "image_push",
  image: {
    registry: "docker.io",
    repository: "svendowideit/testhook",
    tag: "latest",
    ref: "docker.io/svendowideit/testhook:latest",
  },
  payload: body,
  deliveryId: "d1",
  receivedAt: "2024-01-01T00:00:00Z",
};
const custom = (type: string, extra: Partial<CustomEvent> = {}): CustomEvent => ({
  id: "01CUSTOM00000000000000000A",
  project: "demo",
  source: "brigade.sh/cli",
  type,
  payload: "handed over as is",
  deliveryId: "d2",
  receivedAt: "2024-01-01T00:00:00Z",
  ...extra,
});

describe("sandbox: events of both Brigade generations", () => {
  it("names a registry push as v2's gateways did: brigade.sh/<registry>, push, qualifiers, labels", () => {
    expect(scriptEventOf(dockerHubPush, { buildID: "b" }).v2).to.deep.equal({
      id: dockerHubPush.id,
      source: "brigade.sh/dockerhub",
      type: "push",
      qualifiers: { repo: "svendowideit/testhook" },
      labels: { registry: "docker.io", tag: "latest" },
      shortTitle: "push to docker.io/svendowideit/testhook:latest",
    });
    const acr = scriptEventOf(
      {
        ...dockerHubPush,
        source: "acr",
        type: "image_delete",
        image: { registry: "r.azurecr.io", repository: "app", ref: "r.azurecr.io/app@sha256:ab" },
      },
      { buildID: "b" },
    );
    expect(acr.v2).to.deep.include({
      source: "brigade.sh/acr",
      type: "delete",
      qualifiers: { registry: "r.azurecr.io", repo: "app" },
      labels: { registry: "r.azurecr.io" },
    });
    expect(acr.type).to.equal("image_delete");
  });

  it("hands a script every tag of an event gathered per digest (runPer: digest)", () => {
    const gathered = { ...dockerHubPush, image: { ...dockerHubPush.image, tags: ["latest", "v1.2.3"] } };
    const event = scriptEventOf(gathered, { buildID: "b" });
    expect(event.image).to.deep.include({ tag: "latest", tags: ["latest", "v1.2.3"] });
  });

  it("runs the v1 and v2 handlers of a Docker Hub push, v1 first, the v2 one's job included", async () => {
    const run = await runFixture(fixture("v2-events", "brigade.js"), {
      event: scriptEventOf(dockerHubPush, { buildID: "build-1" }),
    });
    expect(run.outcome).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.lines).to.deep.equal([
      "v1 image_push docker.io/svendowideit/testhook:latest\n",
      "v2 brigade.sh/dockerhub push repo=svendowideit/testhook tag=latest\n",
      "payload is the body as received: latest\n",
    ]);
    expect(run.specs.map((s) => [s.name, s.image, s.tasks])).to.deep.equal([
      ["deploy", "alpine:3", ["echo latest"]],
    ]);
  });

  it("hands an event created through the API to its exact v2 handler, else the source's * handler", async () => {
    const exec = await runFixture(fixture("v2-events", "brigade.js"), {
      event: scriptEventOf(custom("exec"), { buildID: "build-2" }),
    });
    expect(exec.outcome.status).to.equal("succeeded");
    expect(exec.lines).to.deep.equal(["v2 exec for demo: handed over as is token=[]\n"]);
    const deploy = await runFixture(fixture("v2-events", "brigade.js"), {
      event: scriptEventOf(
        custom("deploy", { details: { qualifiers: { env: "prod" }, shortTitle: "deploy prod" } }),
        { buildID: "build-3" },
      ),
    });
    expect(deploy.lines).to.deep.equal(['v2 fallback deploy {"env":"prod"} deploy prod\n']);
  });

  it("runs a v1 script's exec and the custom events it chains with emit and fire, then after", async () => {
    const run = await runFixture(fixture("v1-event-chain", "brigade.js"), {
      event: scriptEventOf(custom("exec"), { buildID: "build-4" }),
    });
    expect(run.outcome).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.specs.map((s) => s.name)).to.deep.equal(["build", "test"]);
    expect(run.lines).to.deep.equal([
      "exec: handed over as is\n",
      "build: built by exec\n",
      "test: tested after build\n",
      "after: the chain is done\n",
    ]);
  });

  it("fails the run when a chained step's job fails, naming the job", async () => {
    const run = await runFixture(fixture("v1-event-chain", "brigade.js"), {
      event: scriptEventOf(custom("exec"), { buildID: "build-5" }),
      answer: (spec) => (spec.name === "test" ? { outcome: "failed", exitCode: 3 } : {}),
    });
    expect(run.outcome.status).to.equal("failed");
    if (run.outcome.status === "failed") expect(run.outcome.error.message).to.match(/test/);
    expect(run.lines).to.not.include("after: the chain is done\n");
  });

  it("answers ping for a script with no ping handler", async () => {
    const run = await runFixture(fixture("v1-event-chain", "brigade.js"), {
      event: scriptEventOf(custom("ping"), { buildID: "build-6" }),
    });
    expect(run.outcome).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.lines[0]).to.equal("ping: project demo answered (build build-6)\n");
  });
});
