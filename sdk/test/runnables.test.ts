import { expect } from "chai";
import { ConcurrentGroup, Job, SerialGroup, type JobReply } from "../src/index.js";
import { installFakeHost, succeed, type FakeHost } from "./bridge.js";

describe("sdk: Job.sequence and Job.concurrent (Brigade v2)", () => {
  let host: FakeHost | undefined;
  let events: string[];
  afterEach(() => host?.uninstall());
  beforeEach(() => {
    events = [];
    host = installFakeHost(async (request): Promise<JobReply> => {
      events.push(`start ${request.name}`);
      await new Promise((resolve) => setTimeout(resolve, request.name.startsWith("slow") ? 20 : 1));
      events.push(`end ${request.name}`);
      return request.name.startsWith("broken")
        ? { ok: true, result: { outcome: "failed", exitCode: 2, output: "", startedAt: "", finishedAt: "" } }
        : succeed(request);
    });
  });
  const job = (name: string) => new Job(name, "alpine");

  it("nests: a sequence of a concurrent stage and a job", async () => {
    const pipeline = Job.sequence(Job.concurrent(job("slow-lint"), job("unit")), job("deploy"));
    expect(pipeline).to.be.instanceOf(SerialGroup);
    await pipeline.run();
    expect(events.indexOf("start deploy")).to.be.greaterThan(events.indexOf("end slow-lint"));
    expect(events.indexOf("start unit")).to.be.lessThan(events.indexOf("end slow-lint"));
  });

  it("a sequence stops at the first failure and rejects with it", async () => {
    const error = await Job.sequence(job("a"), job("broken"), job("never"))
      .run()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).to.equal('job "broken" failed with exit code 2');
    expect(events).not.to.include("start never");
  });

  it("a concurrent group waits for every member, then rejects with the first failure", async () => {
    const group = Job.concurrent(job("broken-fast"), job("slow-ok"));
    expect(group).to.be.instanceOf(ConcurrentGroup);
    const error = await group.run().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.contain('job "broken-fast" failed');
    expect(events).to.include("end slow-ok");
  });

  it("refuses something that is not a job or a group, saying which argument", () => {
    expect(() => Job.sequence(job("a"), "deploy" as unknown as Job)).to.throw(
      TypeError,
      "Job.sequence: argument 2 is not a Job or a group (it has no run())",
    );
  });

  it("a fallible job's failure does not stop a sequence or fail a concurrent group", async () => {
    const fallible = () => Object.assign(job("broken-allowed"), { fallible: true });
    await Job.sequence(job("a"), fallible(), job("after")).run();
    expect(events).to.include("end after");
    await Job.concurrent(fallible(), job("b")).run();
  });

  it("groups are built up with add() and counted with length()", async () => {
    const serial = new SerialGroup(job("one"));
    const concurrent = new ConcurrentGroup();
    concurrent.add(job("two"), job("three"));
    serial.add(concurrent);
    expect(serial.length()).to.equal(2);
    expect(concurrent.length()).to.equal(2);
    await serial.run();
    expect(events.filter((e) => e.startsWith("end"))).to.have.length(3);
  });
});
