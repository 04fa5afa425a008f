import { expect } from "chai";
import { Container, Job, JobFailedError } from "../src/index.js";
import { installFakeHost, fail, type FakeHost } from "./bridge.js";

describe("sdk: Brigade v2 Job", () => {
  let host: FakeHost | undefined;
  afterEach(() => host?.uninstall());

  it("takes an event as its third argument, and v1's tasks still", () => {
    const event = { source: "registry", type: "image_push" };
    const v2 = new Job("v2", "alpine:3.20", event);
    expect(v2.event).to.equal(event);
    expect(v2.tasks).to.deep.equal([]);
    const v1 = new Job("v1", "alpine:3.20", ["echo hi"], true);
    expect(v1.event).to.equal(undefined);
    expect(v1.tasks).to.deep.equal(["echo hi"]);
    expect(v1.imageForcePull).to.equal(true);
    expect(() => new Job("bad", "alpine", "echo hi" as unknown as string[])).to.throw(
      /third argument must be the tasks \(an array, v1\) or the event \(an object, v2\), not "echo hi"/,
    );
  });

  it("has a primary container whose fields are the job's own", () => {
    const job = new Job("build", "alpine:3.20", {});
    expect(job.primaryContainer.image).to.equal("alpine:3.20");
    job.primaryContainer.image = "busybox:1";
    job.primaryContainer.environment.A = "1";
    job.primaryContainer.privileged = true;
    job.primaryContainer.imagePullPolicy = "Always";
    job.primaryContainer.useHostDockerSocket = true;
    expect(job).to.include({ image: "busybox:1", privileged: true, imageForcePull: true });
    expect(job.env).to.deep.equal({ A: "1" });
    expect(job.docker.enabled).to.equal(true);
    job.timeoutSeconds = 90;
    expect(job.timeout).to.equal(90_000);
    job.primaryContainer = Object.assign(new Container("node:22"), {
      command: ["node"],
      arguments: ["x.js"],
    });
    expect(job.toRequest()).to.deep.include({ image: "node:22", command: ["node"], args: ["x.js"] });
  });

  it("flattens sidecars and the workspace into the request", () => {
    const job = new Job("test", "alpine:3.20", {});
    job.primaryContainer.workspaceMountPath = "/workspace";
    job.primaryContainer.workingDirectory = "/workspace";
    job.primaryContainer.sourceMountPath = "/src";
    const db = new Container("postgres:15");
    db.environment = { POSTGRES_PASSWORD: "pw", PORT: 5432 as unknown as string };
    db.command = ["postgres"];
    db.arguments = ["-c", "fsync=off"];
    db.imagePullPolicy = "Always";
    job.sidecarContainers = { db };
    expect(job.toRequest()).to.deep.include({
      storage: { enabled: true, path: "/workspace" },
      workingDir: "/workspace",
      sidecars: [
        {
          name: "db",
          image: "postgres:15",
          command: ["postgres"],
          args: ["-c", "fsync=off"],
          env: { POSTGRES_PASSWORD: "pw", PORT: "5432" },
          privileged: false,
          imageForcePull: true,
        },
      ],
    });
    job.sidecarContainers = { db: new Container() };
    expect(() => job.toRequest()).to.throw(/sidecarContainers\.db has no image/);
  });

  it("keeps volumes and volumeMounts empty, and refuses them when filled", () => {
    const job = new Job("vols", "alpine:3.20");
    expect(job.volumes).to.deep.equal([]);
    expect(job.volumeMounts).to.deep.equal([]);
    expect(() => job.toRequest()).to.not.throw();
    job.volumeMounts.push({ name: "data", mountPath: "/data" });
    expect(() => job.toRequest()).to.throw(
      /volumeMounts asks for Kubernetes volumes, which Bosun does not mount/,
    );
  });

  it("run() rejects on failure unless fallible; logs() is the primary container's output", async () => {
    host = installFakeHost(fail(2));
    const job = new Job("flaky", "alpine:3.20", {});
    let caught: unknown;
    await job.run().catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(JobFailedError);
    job.fallible = true;
    await job.run();
    expect(await job.logs()).to.equal("boom\n");
  });
});
