import { expect } from "chai";
import { dispatchEvent, EventRegistry, type Event, type EventInit } from "../src/index.js";
import { installFakeHost, type FakeHost } from "./bridge.js";

const push: EventInit = {
  type: "image_push",
  buildID: "b1",
  provider: "dockerhub",
  payload: '{"push_data":{"tag":"v1"}}',
  image: { registry: "docker.io", repository: "org/app", tag: "v1", ref: "docker.io/org/app:v1" },
  v2: {
    id: "01EVENT",
    source: "brigade.sh/dockerhub",
    type: "push",
    qualifiers: { repo: "org/app" },
    labels: { registry: "docker.io", tag: "v1" },
    shortTitle: "push to docker.io/org/app:v1",
  },
};
const exec = (type: string, source = "brigade.sh/cli"): EventInit => ({
  type,
  buildID: "b2",
  provider: source,
  payload: "as given",
  v2: { id: "01EXEC", source, type },
});
const project = { name: "webapp", secrets: { token: "t" } };

describe("sdk: Brigade v2 events", () => {
  let registry: EventRegistry;
  let seen: string[];
  let host: FakeHost | undefined;
  beforeEach(() => {
    registry = new EventRegistry();
    seen = [];
  });
  afterEach(() => host?.uninstall());

  it("hands a v2 handler v2's Event: project id and secrets, source, type, qualifiers, labels, payload, worker", async () => {
    let event: Event | undefined;
    registry.on("brigade.sh/dockerhub", "push", (e) => {
      event = e;
    });
    expect(await dispatchEvent(push, project, { registry })).to.deep.equal({
      status: "succeeded",
      handled: true,
    });
    expect(event).to.deep.equal({
      id: "01EVENT",
      project: { id: "webapp", secrets: { token: "t" } },
      source: "brigade.sh/dockerhub",
      type: "push",
      qualifiers: { repo: "org/app" },
      labels: { registry: "docker.io", tag: "v1" },
      shortTitle: "push to docker.io/org/app:v1",
      payload: push.payload,
      worker: { apiToken: "", configFilesDirectory: ".brigade", defaultConfigFiles: {} },
    });
  });

  it("takes exactly one handler per source and type, saying so when registered twice", () => {
    registry.on("brigade.sh/cli", "exec", () => {});
    expect(() => registry.on("brigade.sh/cli", "exec", () => {})).to.throw(
      Error,
      /events.on\("brigade.sh\/cli", "exec"\): a handler is already registered for this source and type/,
    );
    // Another type of the source, or the same type of another source, is a key of its own.
    registry.on("brigade.sh/cli", "deploy", () => {});
    registry.on("example.com/ci", "exec", () => {});
  });

  it("gives a source's types without a handler of their own to its * handler", async () => {
    registry.on("brigade.sh/cli", "*", (e) => {
      seen.push(`fallback ${e.type}`);
    });
    registry.on("brigade.sh/cli", "exec", (e) => {
      seen.push(`exact ${e.type}`);
    });
    await dispatchEvent(exec("exec"), project, { registry });
    await dispatchEvent(exec("deploy"), project, { registry });
    const other = await dispatchEvent(exec("deploy", "example.com/ci"), project, { registry });
    expect(seen).to.deep.equal(["exact exec", "fallback deploy"]);
    expect(other).to.deep.equal({ status: "succeeded", handled: false });
  });

  it("runs the v1 and v2 handlers of one event, v1 first, then after once", async () => {
    registry.on("image_push", (e) => {
      seen.push(`v1 ${e.type} ${e.image?.tag}`);
    });
    registry.on("brigade.sh/dockerhub", "push", (e) => {
      seen.push(`v2 ${e.source} ${e.type}`);
    });
    registry.on("after", () => {
      seen.push("after");
    });
    await dispatchEvent(push, project, { registry });
    expect(seen).to.deep.equal(["v1 image_push v1", "v2 brigade.sh/dockerhub push", "after"]);
  });

  it("fails the run with a rejecting v2 handler, firing error", async () => {
    registry.on("brigade.sh/cli", "exec", async () => {
      throw new Error("v2 broke");
    });
    registry.on("error", (e) => {
      seen.push(`error ${e.cause.trigger}`);
    });
    const outcome = await dispatchEvent(exec("exec"), project, { registry });
    expect(outcome).to.deep.include({ status: "failed", trigger: "handlerError" });
    expect(seen).to.deep.equal(["error handlerError"]);
  });

  it("runs no v2 handler for an event without a v2 view", async () => {
    registry.on("brigade.sh/cli", "*", () => {
      seen.push("v2");
    });
    const { v2: _v2, ...v1Only } = exec("exec");
    expect(await dispatchEvent(v1Only, project, { registry })).to.deep.equal({
      status: "succeeded",
      handled: false,
    });
    expect(seen).to.deep.equal([]);
  });

  it("refuses what v2 cannot name: an empty source or type, a handler that is not a function", () => {
    expect(() => registry.on("", "exec", () => {})).to.throw(
      TypeError,
      /the source must be a non-empty string/,
    );
    expect(() => registry.on("brigade.sh/cli", "", () => {})).to.throw(TypeError, /the type must be/);
    expect(() => registry.on("brigade.sh/cli", "exec", "nope" as never)).to.throw(
      TypeError,
      /the handler must be a function/,
    );
  });

  it("events.process() is a no-op, and logger writes at each level", async () => {
    host = installFakeHost();
    const { logger } = await import("../src/index.js");
    registry.process();
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(host.logs).to.deep.equal([
      ["debug", "d"],
      ["info", "i"],
      ["warn", "w"],
      ["error", "e"],
    ]);
  });
});
