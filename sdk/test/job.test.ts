import { expect } from "chai";
import { HostCallError, Job, JobFailedError, JobResult } from "../src/index.js";
import { setCurrentProject } from "../src/current.js";
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

  it("refuses names over 63 characters, and long near-misses at once", () => {
    expect(() => new Job("a".repeat(63), "x")).to.not.throw();
    expect(() => new Job("a".repeat(64), "x")).to.throw(/is invalid: use up to 63 letters/);
    const started = Date.now();
    // A backtracking pattern takes hours on these; they are refused by length, or in one pass.
    expect(() => new Job(`${"a".repeat(40)}!`, "x")).to.throw(/invalid/);
    expect(() => new Job(`${"a0".repeat(3000)}!`, "x")).to.throw(/"a0a0a0[a0]*…" is invalid/);
    expect(Date.now() - started).to.be.below(5_000);
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

  it("takes brigadier's fourth constructor argument, imageForcePull", () => {
    expect(new Job("pull", "alpine", [], true).toRequest().imageForcePull).to.equal(true);
    expect(new Job("cached", "alpine").toRequest().imageForcePull).to.equal(false);
  });

  it("sends host.nodeSelector as labels, whether a Map (as in brigadier) or an object", () => {
    const job = new Job("sel", "alpine");
    job.host.nodeSelector.set("pool", "ci");
    (job.host.nodeSelector as unknown as Record<string, string>)["zone"] = "a";
    expect(job.toRequest().host.nodeSelector).to.deep.equal({ zone: "a", pool: "ci" });
    job.host.nodeSelector = { disk: "ssd" } as unknown as Map<string, string>;
    expect(job.toRequest().host.nodeSelector).to.deep.equal({ disk: "ssd" });
  });

  it("resolves env secretKeyRef from the project's secrets, by name/key, else by key", () => {
    const job = new Job("ref", "alpine");
    job.env = {
      PASSWORD: { secretKeyRef: { name: "db", key: "dbPassword" } },
      USER: { secretKeyRef: { name: "db", key: "user" } },
      MAYBE: { secretKeyRef: { name: "db", key: "absent", optional: true } },
    };
    setCurrentProject(undefined);
    expect(() => job.toRequest()).to.throw(
      TypeError,
      'job "ref": env.PASSWORD: secretKeyRef names the secret "db/dbPassword" or "dbPassword", which the project does not have',
    );
    setCurrentProject({
      id: "p",
      name: "p",
      secrets: { dbPassword: "s3cret", user: "plain-user", "db/user": "db-user" },
      repo: { name: "p", cloneURL: "", initGitSubmodules: false },
      kubernetes: {} as never,
      allowPrivilegedJobs: false,
      allowHostMounts: false,
    });
    try {
      expect(job.toRequest().env).to.deep.equal({ PASSWORD: "s3cret", USER: "db-user", MAYBE: "" });
    } finally {
      setCurrentProject(undefined);
    }
  });

  it("accepts useSource and mountPath, checks their types, and refuses volumes", () => {
    const job = new Job("src", "alpine");
    expect(job).to.include({ useSource: true, mountPath: "/src" });
    job.useSource = false;
    job.mountPath = "/app";
    expect(() => job.toRequest()).to.not.throw();
    job.useSource = "no" as unknown as boolean;
    expect(() => job.toRequest()).to.throw(TypeError, 'job "src": useSource must be true or false, not "no"');
    job.useSource = true;
    job.volumeConfig = [{ mount: { name: "m", mountPath: "/m" }, volume: { name: "m" } }];
    expect(() => job.toRequest()).to.throw(TypeError, /volumeConfig asks for Kubernetes volumes/);
  });

  it("has a podName: empty before run, then the name the job was recorded under", async () => {
    host = installFakeHost((request) => ({
      ok: true,
      result: {
        name: `${request.name}-2`,
        outcome: "succeeded",
        output: "",
        startedAt: "s",
        finishedAt: "f",
      },
    }));
    const job = new Job("again", "alpine");
    expect(job.podName).to.equal("");
    await job.run();
    expect(job.podName).to.equal("again-2");
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
