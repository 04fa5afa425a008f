/**
 * Another process holds SQLite's write lock: pushes are answered 503 (with Retry-After) fast, the
 * process keeps answering /healthz meanwhile, and pushes are accepted again once the lock is gone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { expect } from "chai";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "locked-store-token";
const CONFIG = `projects:\n  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };
const push = (tag: string) =>
  JSON.stringify({
    push_data: { tag, pusher: "me", pushed_at: 1700000000 },
    repository: { repo_name: "team/app", name: "app", namespace: "team" },
  });

/** A child `node` that takes the write lock on `file` and keeps it until told (a line on stdin). */
async function holdWriteLock(file: string): Promise<ChildProcess> {
  const script = `
    const { DatabaseSync } = require("node:sqlite");
    const db = new DatabaseSync(${JSON.stringify(file)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    process.stdin.once("data", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  expect(chunk.toString()).to.equal("locked\n");
  return child;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

describe("bosun serve: a store locked by another process", function () {
  this.timeout(60_000);
  let t: TestServer;
  let lock: ChildProcess | undefined;

  before(async () => {
    t = await startTestServer(CONFIG, FILES);
  });
  after(async () => {
    lock?.kill();
    await t?.dispose();
  });

  const post = (tag: string) =>
    fetch(`${t.url}/events/dockerhub/hub?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: push(tag),
    });

  it("answers pushes 503 quickly and /healthz meanwhile, then accepts again once the lock is released", async () => {
    expect((await post("before")).status).to.equal(202);
    lock = await holdWriteLock(join(t.dir, "data", "bosun.db"));

    // One after another, each with a /healthz alongside: a wait on the event loop would add up.
    const answers: { status: number; retryAfter: string | null; body: string }[] = [];
    const health: number[] = [];
    const all = await timed(async () => {
      for (let i = 0; i < 5; i++) {
        const [res, healthz] = await Promise.all([
          post(`locked-${i}`),
          timed(() => fetch(`${t.url}/healthz`)),
        ]);
        answers.push({
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          body: await res.text(),
        });
        expect(healthz.value.status).to.equal(200);
        health.push(healthz.ms);
      }
    });
    expect(answers.map((a) => [a.status, a.retryAfter])).to.deep.equal(Array(5).fill([503, "5"]));
    expect(answers[0]!.body).to.contain("STORE_UNAVAILABLE").and.not.contain(t.dir);
    expect(all.ms, "five 503 answers, one after another").to.be.below(3_000);
    expect(Math.max(...health), "slowest /healthz while the store was locked").to.be.below(1_000);

    const readyz = await fetch(`${t.url}/readyz`);
    expect(readyz.status).to.equal(503);
    expect(await readyz.text())
      .to.contain("STORE_UNAVAILABLE")
      .and.not.contain(t.dir);

    lock.stdin!.write("release\n");
    await once(lock, "exit");
    lock = undefined;
    expect((await post("after")).status).to.equal(202);
    expect((await fetch(`${t.url}/readyz`)).status).to.equal(200);
  });
});
