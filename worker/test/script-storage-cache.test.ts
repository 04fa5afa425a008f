/**
 * Brigade's `storage` and `cache` through the script handler, on real containers: storage is shared
 * by the jobs of one run and gone when the run ends; the cache outlives runs, one per project and job.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSqliteStore, type Store } from "@bosun/core";
import { DockerExecutor } from "../src/executors/docker/index.js";
import { ScriptHandler } from "../src/handlers/script.js";
import { TEST_IMAGE, ensureTestImage, startDockerSocket, type DockerSocket } from "./support/podman.js";
import { runPush, testProject, type PushedRun } from "./support/runs.js";

// `count` fails if the run's storage already holds a stamp, so a storage kept across runs shows.
const SCRIPT = `
const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  const count = new Job("count", ${JSON.stringify(TEST_IMAGE)}, [
    "test ! -e /mnt/brigade/share/count",
    "echo hit >> /mnt/brigade/cache/hits",
    "wc -l < /mnt/brigade/cache/hits > /mnt/brigade/share/count",
  ]);
  count.storage.enabled = true;
  count.cache.enabled = true;
  const read = new Job("read", ${JSON.stringify(TEST_IMAGE)}, ["cat /mnt/brigade/share/count"]);
  read.storage.enabled = true;
  await count.run();
  const out = await read.run();
  console.log("hits=" + out.toString().trim() + " privileged=" + p.allowPrivilegedJobs);
});
`;

describe("script handler: storage per run, cache per project and job", function () {
  this.timeout(120_000);
  let dir: string;
  let socket: DockerSocket;
  let executor: DockerExecutor;
  let store: Store;
  let handler: ScriptHandler;

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    executor = new DockerExecutor({ socketPath: socket.socketPath });
    dir = mkdtempSync(join(tmpdir(), "bosun-script-mounts-"));
    writeFileSync(join(dir, "brigade.js"), SCRIPT);
    store = await openSqliteStore({ dataDir: join(dir, "data") });
    handler = new ScriptHandler({ memoryMb: 64, workDir: join(dir, "data") });
  });
  after(async () => {
    await handler?.close();
    await store?.close();
    await executor?.close();
    await socket?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (name: string, allowPrivileged = false): Promise<PushedRun> =>
    runPush(store, testProject({ name, allowPrivileged, script: { path: join(dir, "brigade.js") } }), {
      handlerFor: () => handler,
      executorFor: () => executor,
    });

  it("counts 1, then 2 in the same project, and 1 again in another project (which sees its own settings)", async () => {
    const first = await push("shop");
    expect(first.run.status, first.log).to.equal("succeeded");
    expect(first.log).to.contain("hits=1 privileged=false");
    const second = await push("shop");
    expect(second.run.status, second.log).to.equal("succeeded");
    expect(second.log).to.contain("hits=2 privileged=false");
    const other = await push("billing", true);
    expect(other.run.status, other.log).to.equal("succeeded");
    expect(other.log).to.contain("hits=1 privileged=true");
  });

  it("removes each run's storage when the run ends, and keeps the caches", () => {
    expect(readdirSync(join(dir, "data", "runs"))).to.deep.equal([]);
    expect(readdirSync(join(dir, "data", "cache")).sort()).to.deep.equal(["billing", "shop"]);
    expect(readdirSync(join(dir, "data", "cache", "shop"))).to.deep.equal(["count"]);
  });
});
