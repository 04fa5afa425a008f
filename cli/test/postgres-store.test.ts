/**
 * `bosun serve --store postgres://...`, and a gateway and a worker apart on one PostgreSQL database:
 * a real Docker Hub push over HTTP, its script run, read back through the API.
 */
import { expect } from "chai";
import { dockerHub } from "@bosun/gateways";
import pg from "pg";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startPostgres, type TestPostgres } from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { bosunCli } from "./support/bosun-cli.js";

const TOKEN = "postgres-store-token";
const PASSWORD = "never-printed-pw";
const CONFIG = `projects:\n  - { name: app, script: ./brigade.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }\n`;
const FILES = {
  "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("ran " + e.image.tag));\n`,
};

async function pushTag(bosun: BosunProcess, tag: string): Promise<Response> {
  const hub = dockerHub.synthesize({ repository: "team/app", tag }, TOKEN);
  return fetch(`${bosun.url}/events/dockerhub/app?${hub.query.toString()}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: hub.body,
  });
}

describe("bosun on a PostgreSQL store", function () {
  this.timeout(90_000);
  let server: TestPostgres;
  /** Trust authentication ignores the password; it is there to prove it is never shown. */
  let url: string;
  const started: BosunProcess[] = [];

  before(async () => {
    server = await startPostgres();
    url = server.url.replace("postgres@", `postgres:${PASSWORD}@`);
  });
  after(async () => {
    for (const p of started) await p.dispose();
    await server?.stop();
  });

  it("bosun serve --store accepts a Docker Hub push and runs its script", async () => {
    const bosun = await BosunProcess.start({
      command: ["serve", "--store", url],
      config: CONFIG,
      files: FILES,
    });
    started.push(bosun);
    const res = await pushTag(bosun, "v1");
    expect(res.status).to.equal(202);
    const [run] = await bosun.api.finishedRuns("?project=app");
    expect(run!.status).to.equal("succeeded");
    expect(await bosun.api.logs(run!.id)).to.contain("ran v1");
    const [event] = await bosun.api.events("app");
    expect(event).to.deep.include({ state: "done", source: "dockerhub" });

    const ready = await fetch(`${bosun.url}/readyz`);
    expect(ready.status).to.equal(200);
    expect(bosun.stderr).to.include(`store: PostgreSQL at 127.0.0.1:${server.port}/postgres`);
    expect(bosun.stderr).to.not.include(PASSWORD);
  });

  it("a gateway and a worker apart, each with its own data directory, share the database's queue", async () => {
    const gateway = await BosunProcess.start({
      command: ["gateway", "--registry", "dockerhub"],
      config: CONFIG,
      files: FILES,
      env: { BOSUN_STORE_URL: url },
    });
    started.push(gateway);
    const worker = await BosunProcess.start({
      command: ["worker"],
      config: CONFIG,
      files: FILES,
      env: { BOSUN_STORE_URL: url },
    });
    started.push(worker);
    expect((await pushTag(gateway, "v2")).status).to.equal(202);
    const runs = await worker.api.finishedRuns("?project=app", 2);
    const logs = await Promise.all(runs.map((r) => worker.api.logs(r.id)));
    expect(logs.join("\n")).to.contain("ran v2");
    expect(gateway.stderr + worker.stderr).to.not.include(PASSWORD);
  });

  it("while the database is down, /readyz answers 503 and /healthz 200; back up, ready again", async () => {
    const bosun = await BosunProcess.start({
      command: ["serve", "--store", url],
      config: CONFIG,
      files: FILES,
    });
    started.push(bosun);
    expect((await fetch(`${bosun.url}/readyz`)).status).to.equal(200);
    await server.pause();
    try {
      const ready = await fetch(`${bosun.url}/readyz`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as { error: { code: string } }).error.code).to.equal("STORE_UNAVAILABLE");
      // Liveness does not follow the store: an outage must not restart every pod.
      expect((await fetch(`${bosun.url}/healthz`)).status).to.equal(200);
    } finally {
      await server.resume();
    }
    expect((await fetch(`${bosun.url}/readyz`)).status).to.equal(200);
    expect(bosun.stderr).to.not.include(PASSWORD);
  });

  it("starts while the database is down, answers 503 with Retry-After, and runs pushes once it is up", async () => {
    const later = await startPostgres();
    try {
      await later.pause();
      const downUrl = later.url.replace("postgres@", `postgres:${PASSWORD}@`);
      const gateway = await BosunProcess.start({
        command: ["gateway", "--registry", "dockerhub", "--store", downUrl],
        config: CONFIG,
        files: FILES,
      });
      started.push(gateway);
      const worker = await BosunProcess.start({
        command: ["worker", "--store", downUrl],
        config: CONFIG,
        files: FILES,
      });
      started.push(worker);
      expect((await fetch(`${gateway.url}/healthz`)).status).to.equal(200);
      expect((await fetch(`${gateway.url}/readyz`)).status).to.equal(503);
      expect((await fetch(`${worker.url}/readyz`)).status).to.equal(503);
      const refused = await pushTag(gateway, "early");
      expect(refused.status).to.equal(503);
      expect(refused.headers.get("retry-after")).to.match(/^\d+$/);

      await later.resume();
      let accepted: Response | undefined;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        accepted = await pushTag(gateway, "early");
        if (accepted.status === 202) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(accepted?.status).to.equal(202);
      const [run] = await worker.api.finishedRuns("?project=app");
      expect(await worker.api.logs(run!.id)).to.contain("ran early");
      expect((await fetch(`${worker.url}/readyz`)).status).to.equal(200);
      expect(gateway.stderr).to.include("the store cannot be reached");
      // An outage is not an internal error: no error line, no stack, while the worker waits.
      expect(worker.stderr).to.not.include("internal error");
      expect(gateway.stderr + worker.stderr).to.not.include(PASSWORD);
    } finally {
      await later.stop();
    }
  });

  it("--store-connect-timeout bounds the wait for a database that never comes", async () => {
    const down = `postgres://bosun:${PASSWORD}@127.0.0.1:1/bosun`;
    const bounded = await BosunProcess.start({
      command: ["worker", "--store", down, "--store-connect-timeout", "2"],
      config: CONFIG,
      files: FILES,
    });
    started.push(bounded);
    // Serving meanwhile: alive, not ready.
    expect((await fetch(`${bounded.url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${bounded.url}/readyz`)).status).to.equal(503);
    const exit = await bounded.exited(30_000);
    expect(exit).to.equal(2);
    const refusal = bounded.stderr
      .split("\n")
      .filter((l) => l.startsWith("error:"))
      .join("\n");
    expect(refusal).to.include(
      "cannot start: PostgreSQL store: opening the database at 127.0.0.1:1/bosun failed",
    );
    expect(refusal).to.include("(still unreachable after 2s) [STORE_UNAVAILABLE]");
    expect(bounded.stderr).to.not.include(PASSWORD);
    const wrong = await exits(["serve", "--store", down, "--store-connect-timeout", "soon"]);
    expect(wrong.message).to.include("--store-connect-timeout: expected whole seconds");
  });

  it("--store-connect-timeout does nothing once the database answered", async () => {
    const bosun = await BosunProcess.start({
      command: ["serve", "--store", url, "--store-connect-timeout", "1"],
      config: CONFIG,
      files: FILES,
    });
    started.push(bosun);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await fetch(`${bosun.url}/readyz`)).status).to.equal(200);
  });

  it("bosun migrate creates the schema of a fresh database, and fails at once on one that is not up", async () => {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE migrate_fresh");
      const fresh = url.replace(/\/postgres$/, "/migrate_fresh");
      const migrated = await bosunCli(["migrate", "--store", fresh]);
      expect(migrated.code, migrated.stderr).to.equal(0);
      expect(migrated.stdout).to.include(
        `store schema up to date: PostgreSQL at 127.0.0.1:${server.port}/migrate_fresh`,
      );
      const db = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, "/migrate_fresh") });
      await db.connect();
      const { rows } = await db.query<{ version: number }>("SELECT version FROM bosun_schema");
      await db.end();
      expect(rows[0]?.version).to.be.greaterThan(0);
      expect(migrated.stdout + migrated.stderr).to.not.include(PASSWORD);
    } finally {
      await admin.end();
    }
    const down = await bosunCli(["migrate", "--store", `postgres://bosun:${PASSWORD}@127.0.0.1:1/bosun`]);
    expect(down.code).to.equal(2);
    expect(down.stderr).to.match(
      /cannot migrate: PostgreSQL store: opening the database at 127\.0\.0\.1:1\/bosun failed.*\[STORE_UNAVAILABLE\]/,
    );
    expect(down.stderr).to.not.include(PASSWORD);

    // The embedded store the same way: its file made in the data folder.
    const data = join(mkdtempSync(join(tmpdir(), "bosun-migrate-")), "data");
    const sqlite = await bosunCli(["migrate", "--data", data]);
    expect(sqlite.code, sqlite.stderr).to.equal(0);
    expect(sqlite.stdout).to.include(`store schema up to date: SQLite in ${data}`);
    expect(existsSync(join(data, "bosun.db"))).to.equal(true);
    rmSync(dirname(data), { recursive: true, force: true });
  });

  it("refuses to start on a database that waiting cannot fix (no such database), without the password", async () => {
    const missing = url.replace(/\/postgres$/, "/no_such_database");
    const outcome = await BosunProcess.start({
      command: ["serve", "--store", missing],
      config: CONFIG,
      files: FILES,
    }).then(
      (p) => {
        started.push(p);
        return undefined;
      },
      (err: unknown) => err as Error,
    );
    expect(outcome).to.be.instanceOf(Error);
    expect(outcome!.message).to.match(
      /cannot start: PostgreSQL store: opening the database at 127\.0\.0\.1:\d+\/no_such_database failed/,
    );
    expect(outcome!.message).to.not.include(PASSWORD);
  });

  it("refuses at once what retrying cannot fix: a schema newer than this Bosun", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const [{ version }] = (await client.query<{ version: number }>("SELECT version FROM bosun_schema"))
        .rows as [{ version: number }];
      await client.query("UPDATE bosun_schema SET version = 999");
      try {
        const outcome = await exits(["worker", "--store", url]);
        expect(outcome.message).to.include("[STORE_SCHEMA_TOO_NEW]");
        expect(outcome.message).to.not.include("the store cannot be reached");
      } finally {
        await client.query("UPDATE bosun_schema SET version = $1", [version]);
      }
    } finally {
      await client.end();
    }
  });

  async function exits(command: string[]): Promise<Error> {
    return BosunProcess.start({ command, config: CONFIG, files: FILES }).then(
      (p) => {
        started.push(p);
        throw new Error(`bosun ${command.join(" ")} started:\n${p.stderr}`);
      },
      (err: unknown) => err as Error,
    );
  }
});
