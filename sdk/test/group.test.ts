import { expect } from "chai";
import { Group, Job, type JobReply } from "../src/index.js";
import { installFakeHost, succeed, type FakeHost } from "./bridge.js";

describe("sdk: Group", () => {
  let host: FakeHost | undefined;
  let events: string[];
  afterEach(() => host?.uninstall());
  beforeEach(() => {
    events = [];
    host = installFakeHost(async (request): Promise<JobReply> => {
      events.push(`start ${request.name}`);
      await new Promise((resolve) => setTimeout(resolve, request.name === "slow" ? 20 : 1));
      events.push(`end ${request.name}`);
      return request.name === "broken"
        ? { ok: true, result: { outcome: "failed", exitCode: 2, output: "", startedAt: "", finishedAt: "" } }
        : succeed(request);
    });
  });

  const jobs = (...names: string[]) => names.map((n) => new Job(n, "alpine"));

  it("runEach runs one job after the other", async () => {
    const group = new Group();
    group.add(...jobs("slow", "fast"));
    expect(group.length()).to.equal(2);
    const results = await group.runEach();
    expect(results.map(String)).to.deep.equal(["slow done", "fast done"]);
    expect(events).to.deep.equal(["start slow", "end slow", "start fast", "end fast"]);
  });

  it("runAll runs them together", async () => {
    const results = await new Group(jobs("slow", "fast")).runAll();
    expect(results.map(String)).to.deep.equal(["slow done", "fast done"]);
    expect(events).to.deep.equal(["start slow", "start fast", "end fast", "end slow"]);
  });

  it("runEach stops at the first failure", async () => {
    const err = await Group.runEach(jobs("broken", "fast")).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('job "broken" failed with exit code 2');
    expect(events).to.deep.equal(["start broken", "end broken"]);
  });

  it("static runAll rejects with the failure", async () => {
    const err = await Group.runAll(jobs("fast", "broken")).catch((e: unknown) => e);
    expect((err as Error).message).to.include('"broken"');
  });
});
