/** The example projects run as a user would run them, with real containers. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { JobRecord, Run } from "@bosun/core";
import { ensureTestImage, startDockerSocket, type DockerSocket } from "@bosun/worker/test-support";
import { REPO_ROOT } from "./support/fixtures.js";

const run = promisify(execFile);

describe("examples", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let dir: string;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    dir = mkdtempSync(join(tmpdir(), "bosun-examples-"));
  });
  after(async () => {
    await socket?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("smoke-test: the Brigade script runs the pushed image in a container", async () => {
    // A Distribution notification for localhost/busybox:test, the image built for the tests.
    const payload = join(dir, "push.json");
    writeFileSync(
      payload,
      JSON.stringify({
        events: [
          {
            id: "example-1",
            timestamp: new Date().toISOString(),
            action: "push",
            target: {
              mediaType: "application/vnd.docker.distribution.manifest.v2+json",
              digest: `sha256:${"a".repeat(64)}`,
              repository: "busybox",
              tag: "test",
            },
            request: { host: "localhost", method: "PUT" },
            actor: {},
          },
        ],
      }),
    );
    const { stdout } = await run(
      process.execPath,
      [
        "--no-node-snapshot",
        join(REPO_ROOT, "cli/bin/bosun.js"),
        "script",
        "run",
        join(REPO_ROOT, "examples/smoke-test/brigade.js"),
        "--payload",
        payload,
        "--registry",
        "distribution",
        "--json",
      ],
      { env: { ...process.env, DOCKER_HOST: `unix://${socket.socketPath}` }, timeout: 100_000 },
    );
    const [result] = JSON.parse(stdout) as (Run & { jobs: JobRecord[]; log: string })[];
    expect(result!.status, result!.error?.message).to.equal("succeeded");
    expect(result!.jobs.map((j) => [j.name, j.image, j.status, j.exitCode])).to.deep.equal([
      ["smoke", "localhost/busybox:test", "succeeded", 0],
    ]);
    expect(result!.log).to.contain("smoke-testing localhost/busybox:test (pushed to distribution)");
    expect(result!.log).to.match(
      /smoke test of localhost\/busybox:test said: smoke test running inside \S+\n\d+\nok/,
    );
  });
});
