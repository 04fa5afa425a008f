import { expect } from "chai";
import { HostCallError, Job, JobFailedError, JobResult } from "../src/index.js";
import { fail, installFakeHost, type FakeHost } from "./bridge.js";

describe("sdk: Job", () => {
  let host: FakeHost | undefined;
  afterEach(() => host?.uninstall());

  it("has Brigade's defaults", () => {
    const job = new Job("build", "alpine:3.20", ["echo hi"]);
    expect(job).to.include({
      name: "build",
      image: "alpine:3.20",
      shell: "/bin/sh",
      privileged: false,
      timeout: undefined,
    });
    expect(job.tasks).to.deep.equal(["echo hi"]);
    expect(job.storage).to.include({ enabled: false, path: "/mnt/brigade/share" });
    expect(job.cache).to.include({ enabled: false, path: "/mnt/brigade/cache", size: "5Mi" });
    expect(job.docker.enabled).to.equal(false);
    expect(job.env).to.deep.equal({});
  });

  it("refuses names that cannot name a container", () => {
    expect(() => new Job("-bad")).to.throw(/job name "-bad" is invalid/);
    expect(() => new Job("has space", "x")).to.throw(/invalid/);
    expect(() => new Job("ok.name_1-x", "x")).to.not.throw();
  });

  it("flattens itself into a request", () => {
    const job = new Job("deploy", "kubectl:1");
    job.tasks = ["kubectl apply -f x.yaml"];
    job.env = { REPLICAS: 3 as unknown as string, DRY: true as unknown as string, NAME: "web" };
    job.timeout = 60000;
    job.storage.enabled = true;
    job.host.os = "linux";
    job.resourceRequests.memory = "256Mi";
    expect(job.toRequest()).to.deep.include({
      name: "deploy",
      image: "kubectl:1",
      tasks: ["kubectl apply -f x.yaml"],
      env: { REPLICAS: "3", DRY: "true", NAME: "web" },
      timeoutMs: 60000,
      storage: { enabled: true, path: "/mnt/brigade/share" },
      host: { os: "linux", name: undefined, nodeSelector: {} },
      resourceRequests: { memory: "256Mi" },
    });
  });

  it("warns about an unset env value and passes an empty string", () => {
    host = installFakeHost();
    const job = new Job("scan", "alpine");
    job.env = { TOKEN: undefined as unknown as string };
    expect(job.toRequest().env).to.deep.equal({ TOKEN: "" });
    expect(host.logs).to.deep.equal([
      ["warn", 'job "scan": env TOKEN is undefined; the job gets an empty string'],
    ]);
  });

  it("rejects a job without an image when run", async () => {
    const err = await new Job("noimage").run().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    expect((err as Error).message).to.include('job "noimage" has no image');
  });

  it("runs through the no-op host outside the worker: success with empty output", async () => {
    const result = await new Job("local", "alpine").run();
    expect(result).to.be.instanceOf(JobResult);
    expect(result.succeeded).to.equal(true);
    expect(result.toString()).to.equal("");
  });

  it("sends its request over the bridge and resolves with the trimmed output", async () => {
    host = installFakeHost();
    const job = new Job("hello", "alpine", ["echo hello"]);
    const result = await job.run();
    expect(host.requests.map((r) => r.name)).to.deep.equal(["hello"]);
    expect(result.toString()).to.equal("hello done");
    expect(result.exitCode).to.equal(0);
    expect(await job.logs()).to.equal("  hello done\n\n");
  });

  it("rejects with the job's name and exit code when it fails", async () => {
    host = installFakeHost(fail(3));
    const err = (await new Job("flaky", "alpine").run().catch((e: unknown) => e)) as JobFailedError;
    expect(err).to.be.instanceOf(JobFailedError);
    expect(err.message).to.equal('job "flaky" failed with exit code 3');
    expect(err).to.include({ code: "JOB_FAILED", job: "flaky", exitCode: 3 });
    expect(err.result.toString()).to.equal("boom");
  });

  it("rejects naming the time-out when the job times out", async () => {
    host = installFakeHost(fail(137, "timed_out"));
    const job = new Job("slow", "alpine");
    job.timeout = 1000;
    const err = (await job.run().catch((e: unknown) => e)) as JobFailedError;
    expect(err.code).to.equal("JOB_TIMED_OUT");
    expect(err.message).to.equal('job "slow" timed out after 1000 ms (exit code 137)');
  });

  it("resolves even on failure when fallible", async () => {
    host = installFakeHost(fail(1));
    const job = new Job("optional", "alpine");
    job.fallible = true;
    const result = await job.run();
    expect(result.succeeded).to.equal(false);
    expect(result.exitCode).to.equal(1);
  });

  it("rejects with the host's code when the host refuses the job", async () => {
    host = installFakeHost(() => ({
      ok: false,
      error: { code: "HOST_CALL_INVALID", message: "job.env: bad" },
    }));
    const err = (await new Job("x", "alpine").run().catch((e: unknown) => e)) as HostCallError;
    expect(err).to.be.instanceOf(HostCallError);
    expect(err.code).to.equal("HOST_CALL_INVALID");
    expect(err.message).to.equal('job "x": job.env: bad');
  });
});
