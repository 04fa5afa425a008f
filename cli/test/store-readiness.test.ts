/**
 * /readyz follows whether a commit can succeed: on a full disk it answers 503, like the pushes, and
 * ready again once there is room; neither answer shows where the data lives.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { formatProblems, parseConfig } from "@bosun/core";
import { startServer, type RunningServer } from "../src/server/server.js";
import { createLogger } from "../src/server/logger.js";

const TOKEN = "readiness-token";
const CONFIG = `projects:\n  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
/** `bytes` of description: a push larger than any before needs room a full disk no longer has. */
const push = (tag: string, bytes = 0) =>
  JSON.stringify({
    push_data: { tag, pusher: "me", pushed_at: 1700000000 },
    repository: {
      repo_name: "team/app",
      name: "app",
      namespace: "team",
      description: "x".repeat(bytes),
    },
  });

/** Writes zeros until the file system refuses (ENOSPC), in smaller and smaller pieces. */
function fill(file: string): void {
  for (let size = 1 << 20; size >= 512; size >>= 1) {
    const chunk = Buffer.alloc(size);
    for (;;) {
      try {
        writeFileSync(file, chunk, { flag: "a" });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
        break;
      }
    }
  }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** A temporary directory with a small tmpfs of its own at `disk` (so that filling it fills nothing else). */
function mountDisk(): { dir: string; disk: string; start(): Promise<RunningServer> } {
  const dir = mkdtempSync(join(tmpdir(), "bosun-readiness-"));
  const disk = join(dir, "disk");
  mkdirSync(disk);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", disk]);
  writeFileSync(
    join(dir, "ok.js"),
    `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`,
  );
  const parsed = parseConfig(CONFIG, { file: join(dir, "bosun.yaml"), env: {} });
  if (parsed.errors) throw new Error(formatProblems(parsed.errors));
  process.env.BOSUN_LOG_LEVEL ??= "silent";
  const config = { ...parsed.value, port: 0, dataDir: join(disk, "data") };
  return { dir, disk, start: () => startServer(config, { logger: createLogger() }) };
}

function unmount(dir: string, disk: string): void {
  execFileSync("umount", [disk]);
  rmSync(dir, { recursive: true, force: true });
}

describe("bosun serve: readiness on a full disk", function () {
  this.timeout(60_000);
  let dir: string;
  let disk: string;
  let server: RunningServer | undefined;

  before(async () => {
    const mounted = mountDisk();
    ({ dir, disk } = mounted);
    server = await mounted.start();
  });
  after(async () => {
    await server?.close();
    unmount(dir, disk);
  });

  const post = (tag: string, bytes?: number) =>
    fetch(`${server!.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: push(tag, bytes),
    });
  const readyz = async () => {
    const res = await fetch(`${server!.url}/readyz`);
    return { status: res.status, body: await res.text() };
  };

  it("answers 503 while the disk is full, also when no push has failed lately, and 200 once there is room", async () => {
    expect((await post("before")).status).to.equal(202);
    expect((await readyz()).status).to.equal(200);

    fill(join(disk, "filler"));
    const refused = await post("full", 300_000);
    expect(refused.status).to.equal(503);
    expect(await refused.text()).to.not.contain(disk);
    const full = await readyz();
    expect(full.status).to.equal(503);
    expect(full.body).to.contain("STORE_UNAVAILABLE").and.not.contain(disk);
    // Long after the last push: readiness is probed, not remembered.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await readyz()).status).to.equal(503);

    rmSync(join(disk, "filler"));
    expect(await until(async () => (await readyz()).status === 200, 5_000)).to.equal(true);
    expect((await post("after", 300_000)).status).to.equal(202);
  });
});

describe("bosun serve: started on a read-only data directory", function () {
  this.timeout(60_000);
  let dir: string;
  let disk: string;
  let server: RunningServer | undefined;

  after(async () => {
    await server?.close();
    execFileSync("mount", ["-o", "remount,rw", disk]);
    unmount(dir, disk);
  });

  it("starts, answers 503 without paths, and uses the store in place once the directory is writable", async () => {
    const mounted = mountDisk();
    ({ dir, disk } = mounted);
    // A data directory made by an earlier start, then mounted read-only (root ignores file modes).
    server = await mounted.start();
    await server.close();
    execFileSync("mount", ["-o", "remount,ro", disk]);

    server = await mounted.start();
    const post = (tag: string) =>
      fetch(`${server!.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: push(tag),
      });
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    const refused = await post("read-only");
    expect(refused.status).to.equal(503);
    expect(await refused.text())
      .to.contain("STORE_UNAVAILABLE")
      .and.not.contain(disk);
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).to.equal(503);
    expect(await readyz.text()).to.not.contain(disk);

    execFileSync("mount", ["-o", "remount,rw", disk]);
    expect(await until(async () => (await post("writable")).status === 202, 10_000)).to.equal(true);
    expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
  });
});
