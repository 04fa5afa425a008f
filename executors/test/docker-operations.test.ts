/** Operating the docker executor: a cap on concurrent jobs, and reaping what a dead worker left. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { JobSpec } from "@bosun/core";
import { DockerExecutor } from "../src/index.js";
import { containerConfig } from "../src/docker/container-config.js";
import { ensureTestImage, startDockerSocket, TEST_IMAGE, type DockerSocket } from "@bosun/test-support";

describe("docker executor: operations", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let shared: string;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    shared = mkdtempSync(join(tmpdir(), "bosun-ops-"));
  });
  after(async () => {
    await socket?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  const spec = (name: string, tasks: string[], labels: Record<string, string> = {}): JobSpec => ({
    name,
    image: TEST_IMAGE,
    tasks,
    env: {},
    labels: { "bosun.test": "operations", ...labels },
    mounts: [{ source: shared, target: "/shared" }],
    timeoutMs: 60_000,
  });

  it("with maxConcurrentJobs: 1, a second job starts only after the first has ended", async () => {
    const executor = new DockerExecutor({ socketPath: socket.socketPath, maxConcurrentJobs: 1 });
    const signal = new AbortController().signal;
    const [first, second] = await Promise.all([
      executor.run(spec("first", ["echo start > /shared/first", "sleep 1", "echo end >> /shared/first"]), {
        signal,
      }),
      executor.run(spec("second", ["cat /shared/first"]), { signal }),
    ]);
    await executor.close();
    expect(first.outcome).to.equal("succeeded");
    expect(second.output.trim().split("\n")).to.deep.equal(["start", "end"]);
  });

  it("mounts the engine's socket into a job that asks for it (Brigade's job.docker.enabled), and only then", async () => {
    const executor = new DockerExecutor({ socketPath: socket.socketPath });
    const signal = new AbortController().signal;
    const check = ["test -S /var/run/docker.sock && echo socket-mounted || echo no-socket"];
    const asked = await executor.run({ ...spec("wants-engine", check), dockerSocket: true }, { signal });
    const plain = await executor.run(spec("plain", check), { signal });
    await executor.close();
    expect(asked.output.trim()).to.equal("socket-mounted");
    expect(plain.output.trim()).to.equal("no-socket");
  });

  it("gives jobs the engine's default network (bridge), or the one configured", async () => {
    // busybox lists the container's interfaces: bridge adds eth0 beside lo; "none" leaves lo alone.
    const list = ["ls /sys/class/net | sort | tr '\\n' ' '"];
    const signal = new AbortController().signal;
    const byDefault = new DockerExecutor({ socketPath: socket.socketPath });
    const isolated = new DockerExecutor({ socketPath: socket.socketPath, network: "none" });
    const [bridged, none] = await Promise.all([
      byDefault.run(spec("default-network", list), { signal }),
      isolated.run(spec("no-network", list), { signal }),
    ]);
    await Promise.all([byDefault.close(), isolated.close()]);
    expect(bridged.output.trim().split(" ")).to.include.members(["eth0", "lo"]);
    expect(none.output.trim()).to.equal("lo");
  });

  it("fails a job whose container the engine refuses (a network that does not exist) with JOB_INVALID", async () => {
    const executor = new DockerExecutor({ socketPath: socket.socketPath, network: "no-such-network" });
    const result = await executor.run(spec("bad-network", ["echo never"]), {
      signal: new AbortController().signal,
    });
    await executor.close();
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("JOB_INVALID");
    expect(result.error?.message).to.match(/^the engine refused the job's container: .*no-such-network/);
    expect(result.error?.message).to.contain('docker.network: "no-such-network"');
    expect(result.output).to.equal("");
  });

  it("applies Brigade's resourceLimits as the engine's memory and CPU limits", async () => {
    const limited = {
      ...spec("limited", ["echo inside limits"]),
      resourceLimits: { memory: "64Mi", cpu: "500m" },
    };
    expect(containerConfig(limited).HostConfig).to.deep.include({
      Memory: 64 * 1024 ** 2,
      NanoCpus: 500_000_000,
    });
    const executor = new DockerExecutor({ socketPath: socket.socketPath });
    const result = await executor.run(limited, { signal: new AbortController().signal });
    const bad = await executor.run(
      { ...spec("bad-limits", ["true"]), resourceLimits: { memory: "lots" } } as JobSpec,
      {
        signal: new AbortController().signal,
      },
    );
    await executor.close();
    expect(result.outcome, result.error?.message).to.equal("succeeded");
    expect(bad.outcome).to.equal("failed");
    expect(bad.error!.message).to.contain('resourceLimits.memory "lots" is not a quantity');
  });

  it("reaps containers of runs that are over, and leaves a live run's container alone", async () => {
    const executor = new DockerExecutor({ socketPath: socket.socketPath });
    const create = (run: string) =>
      executor.client.createContainer({
        Image: TEST_IMAGE,
        Cmd: ["sleep", "300"],
        Labels: { "bosun.managed": "true", "bosun.run": run, "bosun.test": "reaper" },
      });
    const dead = await create("run-of-a-dead-worker");
    const live = await create("run-still-going");
    const removed = await executor.reap(async (runId) => runId === "run-still-going");
    const left = (await executor.client.listContainers({ "bosun.test": "reaper" })).map((c) => c.Id);
    await executor.client.removeContainer(live);
    await executor.close();
    expect(removed).to.equal(1);
    expect(left).to.include(live);
    expect(left).not.to.include(dead);
  });
});
