import { expect } from "chai";
import {
  dispatchEvent,
  EventRegistry,
  type BrigadeEvent,
  type CauseEvent,
  type EventInit,
  type Fault,
  type Project,
} from "../src/index.js";
import { installFakeHost, type FakeHost } from "./bridge.js";

const init: EventInit = {
  type: "image_push",
  buildID: "b1",
  provider: "dockerhub",
  payload: '{"push_data":{"tag":"v1"}}',
  image: { registry: "docker.io", repository: "org/app", tag: "v1", ref: "docker.io/org/app:v1" },
};
const project = { name: "webapp", secrets: { token: "t" } };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("sdk: dispatchEvent", () => {
  let registry: EventRegistry;
  let seen: string[];
  let host: FakeHost | undefined;
  beforeEach(() => {
    registry = new EventRegistry();
    seen = [];
  });
  afterEach(() => host?.uninstall());

  it("gives handlers Brigade's event and project, plus the image", async () => {
    let event: BrigadeEvent | undefined;
    let proj: Project | undefined;
    registry.on("image_push", (e, p) => {
      event = e;
      proj = p;
    });
    expect(await dispatchEvent(init, project, { registry })).to.deep.equal({
      status: "succeeded",
      handled: true,
    });
    expect(event).to.deep.equal({
      buildID: "b1",
      workerID: "b1",
      type: "image_push",
      provider: "dockerhub",
      revision: {},
      payload: init.payload,
      logLevel: 0,
      image: init.image,
    });
    expect(proj).to.deep.equal({
      id: "webapp",
      name: "webapp",
      secrets: { token: "t" },
      repo: { name: "webapp", cloneURL: "", initGitSubmodules: false },
      kubernetes: {
        namespace: "",
        vcsSidecar: "",
        vcsSidecarResourcesLimitsCPU: "",
        vcsSidecarResourcesLimitsMemory: "",
        vcsSidecarResourcesRequestsCPU: "",
        vcsSidecarResourcesRequestsMemory: "",
        buildStorageSize: "50Mi",
        cacheStorageClass: "",
        buildStorageClass: "",
      },
      allowPrivilegedJobs: false,
      allowHostMounts: false,
    });
  });

  it("starts handlers in registration order and awaits them all before after", async () => {
    registry.on("image_push", async () => {
      seen.push("1 start");
      await tick();
      seen.push("1 end");
    });
    registry.on("image_push", () => {
      seen.push("2");
    });
    registry.on("after", (e: CauseEvent) => {
      seen.push(`after ${e.cause.trigger} ${e.cause.event.type} ${e.provider}`);
    });
    await dispatchEvent(init, project, { registry });
    expect(seen).to.deep.equal(["1 start", "2", "1 end", "after success image_push bosun"]);
  });

  it("waits for the runtime to be idle before after", async () => {
    registry.on("image_push", () => {
      seen.push("handler");
    });
    registry.on("after", () => {
      seen.push("after");
    });
    const idle = async () => {
      await tick();
      seen.push("idle");
    };
    await dispatchEvent(init, project, { registry, idle });
    expect(seen).to.deep.equal(["handler", "idle", "after", "idle"]);
  });

  it("fires error, not after, with the cause when a handler rejects", async () => {
    const boom = new Error("boom");
    registry.on("image_push", async () => {
      throw boom;
    });
    registry.on("after", () => {
      seen.push("after");
    });
    registry.on("error", (e) => {
      seen.push(`error ${e.cause.trigger} ${(e.cause.reason as Error).message} ${e.cause.event.type}`);
    });
    const outcome = await dispatchEvent(init, project, { registry });
    expect(outcome).to.deep.include({ status: "failed", trigger: "handlerError" });
    if (outcome.status === "failed") expect(outcome.error).to.include({ name: "Error", message: "boom" });
    expect(seen).to.deep.equal(["error handlerError boom image_push"]);
  });

  it("a handler that throws stops the handlers after it", async () => {
    registry.on("image_push", () => {
      throw new Error("first");
    });
    registry.on("image_push", () => {
      seen.push("second");
    });
    const outcome = await dispatchEvent(init, project, { registry });
    expect(outcome.status).to.equal("failed");
    expect(seen).to.deep.equal([]);
  });

  it("a failing after handler fails the dispatch and fires error", async () => {
    registry.on("image_push", () => {});
    registry.on("after", () => {
      throw new Error("after broke");
    });
    registry.on("error", () => {
      seen.push("error");
    });
    const outcome = await dispatchEvent(init, project, { registry });
    expect(outcome.status).to.equal("failed");
    expect(seen).to.deep.equal(["error"]);
  });

  it("a fault from the runtime ends the handling and fires error", async () => {
    let report!: (fault: Fault) => void;
    const fault = new Promise<Fault>((resolve) => (report = resolve));
    registry.on("image_push", () => new Promise(() => {}));
    registry.on("error", (e) => {
      seen.push(`error ${e.cause.trigger}`);
    });
    const pending = dispatchEvent(init, project, { registry, fault });
    report({ reason: new Error("detached"), trigger: "unhandledRejection" });
    const outcome = await pending;
    expect(outcome).to.deep.include({ status: "failed", trigger: "unhandledRejection" });
    expect(seen).to.deep.equal(["error unhandledRejection"]);
  });

  it("describes a thrown non-Error", async () => {
    registry.on("image_push", () => {
      throw "oops";
    });
    const outcome = await dispatchEvent(init, project, { registry });
    if (outcome.status !== "failed") throw new Error("expected a failure");
    expect(outcome.error).to.deep.equal({
      name: "NonError",
      message: 'a non-Error value was thrown: "oops"',
    });
  });

  it("carries an error's code", async () => {
    registry.on("image_push", () => {
      throw Object.assign(new Error("job failed"), { code: "JOB_FAILED" });
    });
    const outcome = await dispatchEvent(init, project, { registry });
    if (outcome.status !== "failed") throw new Error("expected a failure");
    expect(outcome.error.code).to.equal("JOB_FAILED");
  });

  it("reports an event nobody handles as not handled, without after", async () => {
    registry.on("after", () => {
      seen.push("after");
    });
    expect(await dispatchEvent(init, project, { registry })).to.deep.equal({
      status: "succeeded",
      handled: false,
    });
    expect(seen).to.deep.equal([]);
  });

  it("logs when an error handler fails too", async () => {
    host = installFakeHost();
    registry.on("image_push", () => {
      throw new Error("first");
    });
    registry.on("error", () => {
      throw new Error("second");
    });
    await dispatchEvent(init, project, { registry });
    expect(host.logs).to.deep.equal([["error", "an error handler failed too: second"]]);
  });
});

describe("sdk: EventRegistry", () => {
  it("refuses what is not a handler", () => {
    const registry = new EventRegistry();
    expect(() => registry.on("exec", "nope" as unknown as () => void)).to.throw(/must be a function/);
    expect(() => registry.on("", () => {})).to.throw(/must be a string/);
  });

  it("knows which types have handlers", () => {
    const registry = new EventRegistry().on("exec", () => {}).on("image_push", () => {});
    expect(registry.has("exec")).to.equal(true);
    expect(registry.has("after")).to.equal(false);
    expect(registry.types()).to.deep.equal(["exec", "image_push"]);
  });
});
