/**
 * What a script learns of a job that failed outside its own exit code, with a real engine: the code
 * and a message that names no host path and, for a pull, no connection detail; the executor's own
 * result (what the run records for the operator) keeps the details.
 */
import type { JobResult } from "@bosun/core";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerExecutor } from "@bosun/executors";
import { runScript } from "../src/index.js";
import { bundled, execEvent, fixture, TEST_LIMITS } from "./sandbox-harness.test.js";
import { freePort, startDockerSocket } from "@bosun/test-support";

async function runImages(executor: DockerExecutor, images: string[]) {
  const recorded: JobResult[] = [];
  const lines: string[] = [];
  const outcome = await runScript({
    bundle: await bundled(fixture("job-errors", "brigade.js")),
    event: execEvent({ payload: JSON.stringify(images) }),
    project: { name: "demo", secrets: {} },
    limits: { ...TEST_LIMITS, timeoutMs: 60_000, cpuMs: 5_000 },
    runJob: async (spec, signal) => {
      const result = await executor.run(spec, { signal: signal ?? new AbortController().signal });
      recorded.push(result);
      return result;
    },
    log: (text) => lines.push(text),
  });
  const seen = lines
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("seen: "))
    .map((l) => JSON.parse(l.slice("seen: ".length)) as { code: string; message: string } | null);
  return { outcome, recorded, seen };
}

describe("job errors as a script sees them", function () {
  this.timeout(120_000);

  it("a pull from a closed local port: the code and a generic message, the details kept in the record", async function () {
    const socket = await startDockerSocket();
    const executor = new DockerExecutor({ socketPath: socket.socketPath });
    try {
      const port = await freePort();
      const image = `127.0.0.1:${port}/bosun/nowhere:v1`;
      const { outcome, recorded, seen } = await runImages(executor, [image]);
      expect(outcome.status).to.equal("succeeded");
      expect(recorded[0]!.error?.code).to.equal("IMAGE_PULL_FAILED");
      expect(recorded[0]!.error?.message).to.match(/refused|dial tcp|ECONNREFUSED/i);
      expect(seen).to.deep.equal([
        {
          code: "IMAGE_PULL_FAILED",
          message: `image pull failed for ${image}: the registry is unreachable or refused the connection`,
        },
      ]);
    } finally {
      await executor.close();
      await socket.stop();
    }
  });

  it("an engine that is not there: the code, and no host path", async function () {
    const dir = mkdtempSync(join(tmpdir(), "bosun-nosock-"));
    const executor = new DockerExecutor({ socketPath: join(dir, "missing.sock") });
    try {
      const { recorded, seen } = await runImages(executor, ["alpine:3.20"]);
      expect(recorded[0]!.error?.message).to.include(dir);
      expect(seen).to.have.length(1);
      expect(seen[0]!.code).to.equal("EXECUTOR_UNAVAILABLE");
      expect(seen[0]!.message).to.include("<path>");
      expect(seen[0]!.message).not.to.include(dir);
      expect(seen[0]!.message).not.to.include("missing.sock");
    } finally {
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
