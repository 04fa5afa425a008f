/**
 * Brigade's `storage` and `cache` through the script handler, on real containers: storage is shared
 * by the jobs of one run and gone when the run ends; the cache outlives runs, one per project and job.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSqliteStore, type Store } from "@bosun/store";
import { DockerExecutor } from "@bosun/executors";
import { ScriptHandler } from "../src/handlers/script.js";
import { TEST_IMAGE, ensureTestImage, startDockerSocket, type DockerSocket } from "@bosun/test-support";
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

/**
 * As nobody, run \`su\` through the busybox a job left in \`dir\` (setuid root): it makes its caller root
 * only if the setuid bit is honoured. Then the mount's options, as the kernel reports them.
 */
const trySetuid = (dir: string): string[] => [
  "printf 'root::0:0::/:/bin/sh\\nnobody:x:65534:65534::/:/bin/sh\\n' > /etc/passwd",
  "printf 'root:x:0:\\nnobody:x:65534:\\n' > /etc/group",
  `su -s /bin/sh nobody -c '${dir}/busybox su -s /bin/sh root -c "id -u"' > /tmp/euid 2>&1 || true`,
  `echo "uid through ${dir}/busybox: $(cat /tmp/euid)"`,
  `echo "options of ${dir}: $(grep " ${dir} " /proc/self/mountinfo | cut -d" " -f6)"`,
];
const plant = (dir: string): string[] => [
  `cp /bin/busybox ${dir}/busybox`,
  `chmod 4755 ${dir}/busybox`,
  `ls -l ${dir}/busybox`,
];

// A job leaves a setuid-root busybox in the run's storage, another job tries it; the cache likewise
// across two runs of the same job.
const SETUID_SCRIPT = `
const { events, Job } = require("brigadier");
const IMAGE = ${JSON.stringify(TEST_IMAGE)};
events.on("image_push", async () => {
  const plant = new Job("plant", IMAGE, ${JSON.stringify(plant("/mnt/brigade/share"))});
  plant.storage.enabled = true;
  const use = new Job("use", IMAGE, ${JSON.stringify(trySetuid("/mnt/brigade/share"))});
  use.storage.enabled = true;
  await plant.run();
  await use.run();
  const tool = new Job("tool", IMAGE, ${JSON.stringify([
    "if [ -e /mnt/brigade/cache/busybox ]; then",
    ...trySetuid("/mnt/brigade/cache"),
    "else",
    ...plant("/mnt/brigade/cache"),
    "fi",
  ])});
  tool.cache.enabled = true;
  await tool.run();
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
    writeFileSync(join(dir, "setuid.js"), SETUID_SCRIPT);
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

  const push = (name: string, allowPrivileged = false, script = "brigade.js"): Promise<PushedRun> =>
    runPush(store, testProject({ name, allowPrivileged, script: { path: join(dir, script) } }), {
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

  it("mounts storage and caches nosuid,nodev: a setuid binary a job leaves there gives the next job nothing", async () => {
    const first = await push("setuid", false, "setuid.js");
    expect(first.run.status, first.log).to.equal("succeeded");
    expect(first.log).to.match(/-rwsr-xr-x .*\/mnt\/brigade\/share\/busybox/);
    expect(first.log).to.contain("uid through /mnt/brigade/share/busybox: su: must be suid to work properly");
    expect(first.log).to.match(/options of \/mnt\/brigade\/share: \S*nosuid,nodev/);
    expect(first.log).to.match(/-rwsr-xr-x .*\/mnt\/brigade\/cache\/busybox/);
    const second = await push("setuid", false, "setuid.js");
    expect(second.run.status, second.log).to.equal("succeeded");
    expect(second.log).to.contain(
      "uid through /mnt/brigade/cache/busybox: su: must be suid to work properly",
    );
    expect(second.log).to.match(/options of \/mnt\/brigade\/cache: \S*nosuid,nodev/);
    expect(second.log).not.to.match(/uid through \S+: 0/);
  });

  it("keeps the folders above caches and workspaces to the server's user (0700); a mounted folder stays readable in the job", () => {
    for (const folder of ["cache", "cache/setuid", "cache/shop", "runs"]) {
      expect((statSync(join(dir, "data", folder)).mode & 0o777).toString(8), folder).to.equal("700");
    }
    expect(statSync(join(dir, "data", "cache", "setuid", "tool")).mode & 0o755).to.equal(0o755);
  });
});
