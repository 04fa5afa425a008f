import { expect } from "chai";
import {
  dispatchEvent,
  EventRegistry,
  events,
  fire,
  type BrigadeEvent,
  type EventInit,
  type Project,
} from "../src/index.js";
import { installFakeHost, type FakeHost } from "./bridge.js";

const exec: EventInit = { type: "exec", buildID: "b1", provider: "brigade.sh/cli", payload: "start" };
const project = { name: "webapp" };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("sdk: Brigade v1's event machinery", () => {
  let registry: EventRegistry;
  let seen: string[];
  let host: FakeHost | undefined;
  beforeEach(() => {
    registry = new EventRegistry();
    seen = [];
  });
  afterEach(() => host?.uninstall());

  it("chains custom events with emit: each step gets the event it was handed, after waits for the chain", async () => {
    registry.on("exec", (e, p) => {
      seen.push(`exec ${e.payload}`);
      expect(registry.emit("next-step", { ...e, type: "next-step", payload: "two" }, p)).to.equal(true);
    });
    registry.on("next-step", async (e, p) => {
      await tick();
      seen.push(`next-step ${e.type} ${e.payload} ${p.name}`);
      registry.emit("last-step", { ...e, type: "last-step", payload: "three" }, p);
    });
    registry.on("last-step", async (e) => {
      await tick();
      seen.push(`last-step ${e.payload}`);
    });
    registry.on("after", () => {
      seen.push("after");
    });
    expect(await dispatchEvent(exec, project, { registry })).to.deep.equal({
      status: "succeeded",
      handled: true,
    });
    expect(seen).to.deep.equal(["exec start", "next-step next-step two webapp", "last-step three", "after"]);
  });

  it("fails the run when an emitted handler rejects, firing error with its reason", async () => {
    registry.on("exec", (e, p) => {
      registry.fire({ ...e, type: "deploy" }, p);
    });
    registry.on("deploy", async () => {
      await tick();
      throw new Error("deploy broke");
    });
    registry.on("error", (e) => {
      seen.push(`error ${e.cause.trigger} ${(e.cause.reason as Error).message}`);
    });
    const outcome = await dispatchEvent(exec, project, { registry });
    expect(outcome).to.deep.include({ status: "failed", trigger: "handlerError" });
    expect(seen).to.deep.equal(["error handlerError deploy broke"]);
  });

  it("fails at the first rejection of an emitted handler, not waiting for one that never settles", async () => {
    registry.on("exec", (e, p) => {
      registry.emit("hangs", e, p);
      registry.emit("breaks", e, p);
    });
    registry.on("hangs", () => new Promise(() => {}));
    registry.on("breaks", async () => {
      throw new Error("broke early");
    });
    const outcome = await dispatchEvent(exec, project, { registry });
    expect(outcome).to.deep.include({ status: "failed", trigger: "handlerError" });
    if (outcome.status === "failed") expect(outcome.error.message).to.equal("broke early");
  });

  it("emitting or firing a type with no handler is a no-op that answers false", async () => {
    registry.on("exec", (e, p) => {
      seen.push(`emit ${String(registry.emit("nobody", e, p))}`);
      seen.push(`fire ${String(registry.fire({ ...e, type: "nobody" }, p))}`);
    });
    expect((await dispatchEvent(exec, project, { registry })).status).to.equal("succeeded");
    expect(seen).to.deep.equal(["emit false", "fire false"]);
  });

  it("the exported fire(e, p) fires on the scripts' registry", async () => {
    let got: BrigadeEvent | undefined;
    events.once("bosun-test-fire", (e: BrigadeEvent, _p: Project) => {
      got = e;
    });
    const event = { ...exec, type: "bosun-test-fire", workerID: "w", revision: {}, payload: "", logLevel: 0 };
    expect(fire(event as BrigadeEvent, {} as Project)).to.equal(true);
    expect(got?.type).to.equal("bosun-test-fire");
    expect(fire(event as BrigadeEvent, {} as Project)).to.equal(false);
  });

  it("once: a handler that runs for the first event of its type only", async () => {
    registry.once("exec", () => {
      seen.push("once");
    });
    registry.on("exec", () => {
      seen.push("every");
    });
    await dispatchEvent(exec, project, { registry });
    await dispatchEvent(exec, project, { registry });
    expect(seen).to.deep.equal(["once", "every", "every"]);
  });

  it("answers ping itself when the script has no ping handler", async () => {
    host = installFakeHost();
    const outcome = await dispatchEvent({ ...exec, type: "ping" }, project, { registry });
    expect(outcome).to.deep.equal({ status: "succeeded", handled: true });
    expect(host.logs).to.deep.equal([["info", "ping: project webapp answered (build b1)"]]);
  });

  it("a script's own ping handler replaces the answer", async () => {
    host = installFakeHost();
    registry.on("ping", () => {
      seen.push("mine");
    });
    await dispatchEvent({ ...exec, type: "ping" }, project, { registry });
    expect(seen).to.deep.equal(["mine"]);
    expect(host.logs).to.deep.equal([]);
  });

  it("a synchronous throw of an emitted handler reaches the emitter", () => {
    registry.on("boom", () => {
      throw new Error("sync");
    });
    expect(() => registry.emit("boom", {} as BrigadeEvent, {} as Project)).to.throw("sync");
  });
});
