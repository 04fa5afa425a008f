/**
 * The docker executor against a real engine (Podman's Docker-compatible service, or the socket in
 * $BOSUN_DOCKER_SOCKET): the shared contract, then what only this executor does.
 */
import type { JobSpec } from "@bosun/core";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCKER_JOB_SUPPORT, DockerClient, DockerExecutor, MANAGED_LABEL } from "../src/docker/index.js";
import { parseImageRef } from "../src/docker/image-ref.js";
import { StreamDemuxer } from "../src/docker/stream-demux.js";
import { JobOutput } from "../src/job-output.js";
import { StreamRedactor, redactAll } from "../src/redact.js";
import { executorContract } from "./executor-contract.js";
import {
  TEST_IMAGE,
  ensureTestImage,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";

describe("docker executor", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let client: DockerClient;
  const runId = randomBytes(4).toString("hex");

  before(async function () {
    ensureTestImage();
    socket = await startDockerSocket();
    client = new DockerClient({ socketPath: socket.socketPath });
  });
  after(async function () {
    client?.close();
    await socket?.stop();
  });

  executorContract(
    "docker",
    async () => {
      const executor = new DockerExecutor({ socketPath: socket.socketPath });
      return {
        executor,
        image: TEST_IMAGE,
        // A job that ended by itself returns before its container is removed: wait for that first.
        leftovers: async (labels) => {
          await executor.settled();
          return (await client.listContainers(labels)).length;
        },
        cleanup: async () => executor.close(),
      };
    },
    DOCKER_JOB_SUPPORT,
  );

  describe("docker specifics", function () {
    let executor: DockerExecutor;
    let n = 0;
    before(function () {
      executor = new DockerExecutor({ socketPath: socket.socketPath });
    });
    after(async function () {
      await executor?.close();
    });

    const job = (extra: Partial<JobSpec>): JobSpec => {
      const name = `docker-${runId}-${++n}`;
      return { name, image: TEST_IMAGE, tasks: [], env: {}, labels: { "bosun.test/job": name }, ...extra };
    };
    const run = (spec: JobSpec, ex: DockerExecutor = executor) =>
      ex.run(spec, { signal: new AbortController().signal });

    it("stops and removes the sidecars when the job ends, also when it fails, times out or is cancelled", async function () {
      const sidecar = { name: "idle", image: TEST_IMAGE, command: ["sleep", "300"], env: {} };
      const failing = job({ tasks: ["exit 3"], sidecars: [sidecar] });
      const failed = await run(failing);
      expect(failed.outcome).to.equal("failed");
      expect(failed.exitCode).to.equal(3);
      expect(await client.listContainers({ ...failing.labels, "bosun.sidecar": "idle" })).to.have.length(0);

      const slow = job({ tasks: ["sleep 30"], timeoutMs: 1000, sidecars: [sidecar] });
      expect((await run(slow)).outcome).to.equal("timed_out");
      expect(await client.listContainers({ ...slow.labels, "bosun.sidecar": "idle" })).to.have.length(0);

      const cancelled = job({ tasks: ["echo started", "sleep 60"], sidecars: [sidecar] });
      const controller = new AbortController();
      let seen: Promise<number> | undefined;
      const result = await executor.run(cancelled, {
        signal: controller.signal,
        onOutput: (text) => {
          if (seen || !text.includes("started")) return;
          seen = client
            .listContainers({ ...cancelled.labels, "bosun.sidecar": "idle" })
            .then((list) => list.length)
            .finally(() => controller.abort());
        },
      });
      expect(result.outcome).to.equal("cancelled");
      expect(await seen, "the sidecar runs while the job does").to.equal(1);
      expect(await client.listContainers({ ...cancelled.labels, "bosun.sidecar": "idle" })).to.have.length(0);
    });

    it("labels the container, marks it managed and removes it afterwards", async function () {
      const spec = job({ tasks: ["sleep 30"], labels: { "bosun.test/job": `labelled-${runId}` } });
      const controller = new AbortController();
      const running = executor.run(spec, { signal: controller.signal });
      let seen: { Labels?: Record<string, string> }[] = [];
      for (let i = 0; i < 100 && seen.length === 0; i++) {
        seen = await client.listContainers(spec.labels);
        if (seen.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      controller.abort();
      expect((await running).outcome).to.equal("cancelled");
      expect(seen).to.have.length(1);
      expect(seen[0]?.Labels?.[MANAGED_LABEL]).to.equal("true");
      expect(seen[0]?.Labels?.["bosun.test/job"]).to.equal(`labelled-${runId}`);
      expect(await client.listContainers(spec.labels)).to.have.length(0);
    });

    it("returns a finished job's result, then removes its container; settled() waits for that", async function () {
      const spec = job({ tasks: ["echo done"] });
      const result = await run(spec);
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("done\n");
      await executor.settled();
      expect(await client.listContainers(spec.labels)).to.have.length(0);
    });

    it("removes a timed-out job's container before returning its result", async function () {
      const spec = job({ tasks: ["sleep 30"], timeoutMs: 1_000 });
      expect((await run(spec)).outcome).to.equal("timed_out");
      expect(await client.listContainers(spec.labels)).to.have.length(0);
    });

    it("reports a container it could not remove after the result; close() waits for that", async function () {
      const failures: { id: string; error: unknown }[] = [];
      const reporting = new DockerExecutor({
        socketPath: socket.socketPath,
        onRemoveFailed: (id, error) => failures.push({ id, error }),
      });
      reporting.client.removeContainer = async () => {
        throw new Error("refused for the test");
      };
      const spec = job({ tasks: ["echo hi"] });
      const result = await reporting.run(spec, { signal: new AbortController().signal });
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("hi\n");
      await reporting.close();
      expect(failures).to.have.length(1);
      expect((failures[0]?.error as Error).message).to.equal("refused for the test");
      const left = await client.listContainers(spec.labels);
      expect(left.map((c) => c.Id)).to.deep.equal([failures[0]?.id]);
      await client.removeContainer(failures[0]!.id);
    });

    it("runs the image's own command with args when there are no tasks", async function () {
      const result = await run(job({ args: ["echo", "from-args"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("from-args\n");
    });

    it("replaces the image's entrypoint with the job's command, given args", async function () {
      const result = await run(job({ command: ["/bin/echo", "from-command"], args: ["and-args"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("from-command and-args\n");
    });

    it("uses the job's shell", async function () {
      const result = await run(job({ tasks: ["echo $0"], shell: "/bin/ash" }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("/bin/ash\n");
    });

    it("mounts read-only when asked", async function () {
      const dir = mkdtempSync(join(tmpdir(), "bosun-ro-"));
      try {
        const mounts = [{ source: dir, target: "/ro", readOnly: true }];
        const result = await run(job({ tasks: ["touch /ro/x"], mounts }));
        expect(result.outcome).to.equal("failed");
        expect(result.exitCode).to.not.equal(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("keeps the most recent output when it exceeds the cap, and streams all of it", async function () {
      const small = new DockerExecutor({ socketPath: socket.socketPath, maxOutputChars: 1000 });
      try {
        let streamed = 0;
        const result = await small.run(job({ tasks: ["yes | head -c 100000", "echo the-end"] }), {
          signal: new AbortController().signal,
          onOutput: (t) => (streamed += t.length),
        });
        expect(result.outcome).to.equal("succeeded");
        expect(streamed).to.equal(100_000 + "the-end\n".length);
        expect(result.output).to.match(/^\[bosun: output truncated, first \d+ characters not kept\]\n/);
        expect(result.output.endsWith("y\nthe-end\n")).to.equal(true);
        expect(result.output.length).to.be.below(1100);
      } finally {
        await small.close();
      }
    });

    describe("images from a registry", function () {
      let registry: TestRegistry;
      before(async function () {
        registry = await startRegistry();
      });
      after(async function () {
        await registry?.stop();
      });

      it("pulls a missing image from a plain-HTTP registry by reference", async function () {
        const { ref } = await registry.push("team/app", "v1.2.3");
        await client.removeImage(ref);
        expect(await client.inspectImage(ref)).to.equal(undefined);
        const pulling = new DockerExecutor({
          socketPath: socket.socketPath,
          insecureRegistries: [registry.host],
        });
        try {
          const result = await run(job({ image: ref, tasks: ["echo pulled-and-ran"] }), pulling);
          expect(result.error).to.equal(undefined);
          expect(result.outcome).to.equal("succeeded");
          expect(result.output).to.equal("pulled-and-ran\n");
          expect(await client.inspectImage(ref)).to.not.equal(undefined);
        } finally {
          await pulling.close();
          await client.removeImage(ref);
        }
      });

      it("fails with IMAGE_PULL_FAILED when the registry has no such image", async function () {
        const pulling = new DockerExecutor({
          socketPath: socket.socketPath,
          insecureRegistries: [registry.host],
        });
        try {
          const result = await run(
            job({ image: `${registry.host}/team/missing:v0`, tasks: ["true"] }),
            pulling,
          );
          expect(result.outcome).to.equal("failed");
          expect(result.exitCode).to.equal(undefined);
          expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
          expect(result.error?.message).to.include("team/missing");
        } finally {
          await pulling.close();
        }
      });
    });

    it("fails with IMAGE_PULL_FAILED when the registry cannot be reached", async function () {
      const result = await run(job({ image: "127.0.0.1:9/bosun/nowhere:v1", tasks: ["true"] }));
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    });

    it("reports an unreachable engine as EXECUTOR_UNAVAILABLE instead of crashing", async function () {
      const dir = mkdtempSync(join(tmpdir(), "bosun-nosock-"));
      const nowhere = new DockerExecutor({ socketPath: join(dir, "missing.sock") });
      try {
        const result = await run(job({ tasks: ["true"] }), nowhere);
        expect(result.outcome).to.equal("failed");
        expect(result.error?.code).to.equal("EXECUTOR_UNAVAILABLE");
        expect(result.error?.message).to.include("missing.sock");
        let pingError: unknown;
        await nowhere.ping().catch((err: unknown) => (pingError = err));
        expect((pingError as { code?: string }).code).to.equal("EXECUTOR_UNAVAILABLE");
      } finally {
        await nowhere.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("docker executor building blocks", function () {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("demultiplexes frames however the bytes are split", function () {
    const bytes = Buffer.concat([
      frame(1, "out one\n"),
      frame(2, "err\n"),
      frame(1, ""),
      frame(1, "out two\n"),
    ]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const size of [1, 3, 7, 64]) {
        const got = { stdout: "", stderr: "" };
        const demux = new StreamDemuxer((stream, payload) => (got[stream] += payload.toString()));
        demux.push(bytes.subarray(0, cut));
        for (let i = cut; i < bytes.length; i += size) demux.push(bytes.subarray(i, i + size));
        expect(got).to.deep.equal({ stdout: "out one\nout two\n", stderr: "err\n" });
      }
    }
  });

  it("redacts a secret split at any point between chunks", function () {
    const secrets = ["hunter22", "hunter22-long-form", "abcd"];
    const text = "a hunter22 b hunter22-long-form c hunter2 d abcdabcd e abc";
    const whole = redactAll(text, secrets);
    expect(whole).to.equal("a *** b *** c hunter2 d ****** e abc");
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const r = new StreamRedactor(secrets);
        const out = r.push(text.slice(0, i)) + r.push(text.slice(i, j)) + r.push(text.slice(j)) + r.flush();
        expect(out, `split at ${i}, ${j}`).to.equal(whole);
      }
    }
  });

  it("leaves values too short to redact alone, and text without secrets untouched", function () {
    expect(redactAll("a b c", ["a", ""])).to.equal("a b c");
    const r = new StreamRedactor([]);
    expect(r.push("plain")).to.equal("plain");
  });

  it("decodes UTF-8 split across chunks and caps what it keeps", function () {
    const streamed: string[] = [];
    const out = new JobOutput({ maxChars: 10, onOutput: (t) => streamed.push(t) });
    const bytes = Buffer.from("héllo wörld, more text\n");
    for (let i = 0; i < bytes.length; i++) out.write("stdout", bytes.subarray(i, i + 1));
    out.end();
    expect(streamed.join("")).to.equal("héllo wörld, more text\n");
    expect(out.text()).to.match(/^\[bosun: output truncated, first 13 characters not kept\]\n/);
    expect(out.text().endsWith("more text\n")).to.equal(true);
  });

  it("finds the registry, repository and tag of an image reference", function () {
    expect(parseImageRef("127.0.0.1:5000/team/app:v1.2.3")).to.deep.include({
      registry: "127.0.0.1:5000",
      repository: "team/app",
      tag: "v1.2.3",
      pullRef: "127.0.0.1:5000/team/app:v1.2.3",
    });
    expect(parseImageRef("busybox")).to.deep.include({ registry: "docker.io", pullRef: "busybox:latest" });
    expect(parseImageRef("team/app")).to.deep.include({ registry: "docker.io", repository: "team/app" });
    expect(parseImageRef("localhost/busybox:test")).to.deep.include({ registry: "localhost", tag: "test" });
    expect(parseImageRef("localhost:5000/app")).to.deep.include({
      registry: "localhost:5000",
      pullRef: "localhost:5000/app:latest",
    });
    const digest = "sha256:" + "a".repeat(64);
    expect(parseImageRef(`ghcr.io/o/r@${digest}`)).to.deep.include({
      registry: "ghcr.io",
      repository: "o/r",
      digest,
      pullRef: `ghcr.io/o/r@${digest}`,
    });
  });
});
