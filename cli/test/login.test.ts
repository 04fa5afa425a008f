/**
 * bosun login · logout · credentials list, against a real `bosun serve`: passwords go in through stdin
 * or a file and come out only in the worker's reader, never in output, logs or the database in the clear.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createSealer, parseConfig, type CredentialSummary, type CredentialsError } from "@bosun/core";
import { createCredentialsReader, openSqliteStore } from "@bosun/store";
import { freePort } from "@bosun/test-support";
import { startServer } from "../src/server/server.js";
import { createLogger } from "../src/server/logger.js";
import { REPO_ROOT } from "./support/fixtures.js";

const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");
const KEY = "bG9naW4tdGVzdC1rZXktMzItYnl0ZXMtbG9uZyEhISE=";
const DOCKER_PASSWORD = "Docker-P4ss-word-never-shown";
const GIT_PASSWORD = "ghp_GitTokenNeverShown0123";
const PROJECTS =
  "projects:\n" +
  "  - { name: demo, script: ./s.js, subscriptions: [{ registry: dockerhub }] }\n" +
  "  - { name: other, script: ./s.js, subscriptions: [{ registry: dockerhub }] }\n";

interface Outcome {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `bosun ...`, feeding `input` on stdin. */
function bosun(args: string[], env: Record<string, string>, input = ""): Promise<Outcome> {
  const child = spawn(process.execPath, ["--no-node-snapshot", BIN, ...args], {
    env: { ...process.env, ...env },
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once("close", (code) => resolve({ ...out, code })));
}

/** `bosun serve` with both of its output streams kept, at debug level, to search for secrets. */
class Serve {
  child?: ChildProcess;
  output = "";
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  async start(env: Record<string, string> = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        "--no-node-snapshot",
        BIN,
        "serve",
        "--config",
        join(this.dir, "bosun.yaml"),
        "--port",
        String(this.port),
      ],
      { cwd: this.dir, env: { ...process.env, BOSUN_LOG_LEVEL: "debug", BOSUN_CREDENTIALS_KEY: "", ...env } },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes("bosun listening on")) resolve();
      };
      child.stdout!.on("data", collect);
      child.stderr!.on("data", collect);
      child.once("exit", (code) => reject(new Error(`bosun serve exited with ${code}:\n${this.output}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

describe("bosun login / logout / credentials list", function () {
  // Each step spawns the CLI or restarts the server: seconds apiece on a busy machine.
  this.timeout(120_000);
  let dir: string;
  let serve: Serve;
  let env: Record<string, string>;
  const writeConfig = (credentials: string) =>
    writeFileSync(join(dir, "bosun.yaml"), `server: { dataDir: ./data }\n${credentials}${PROJECTS}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-login-"));
    writeFileSync(join(dir, "s.js"), "");
    writeFileSync(join(dir, "key"), `${KEY}\n`);
    writeConfig("credentials: { keyFile: ./key }\n");
    serve = new Serve(dir, await freePort());
    await serve.start();
    env = {
      BOSUN_SERVER: `http://127.0.0.1:${serve.port}`,
      BOSUN_TOKEN: readFileSync(join(dir, "data", "admin-token"), "utf8").trim(),
    };
  });
  after(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const list = async (...args: string[]) => {
    const r = await bosun(["credentials", "list", "--json", ...args], env);
    expect(r.code, r.stderr).to.equal(0);
    return { parsed: JSON.parse(r.stdout) as CredentialSummary[], text: r.stdout };
  };

  it("logs in with --password-stdin and --password-file, and lists usernames, never passwords", async () => {
    const docker = await bosun(
      [
        "login",
        "docker",
        "--project",
        "demo",
        "--registry",
        "127.0.0.1:5000",
        "--username",
        "alice",
        "--password-stdin",
      ],
      env,
      `${DOCKER_PASSWORD}\n`,
    );
    expect(docker.code, docker.stderr).to.equal(0);
    expect(docker.stdout).to.equal("logged in to 127.0.0.1:5000 for project demo as alice\n");

    writeFileSync(join(dir, "git-token"), `${GIT_PASSWORD}\n`);
    const git = await bosun(
      ["login", "git", "--project", "demo", "--host", "GitHub.com", "--username", "bob"].concat([
        "--password-file",
        join(dir, "git-token"),
      ]),
      env,
    );
    expect(git.code, git.stderr).to.equal(0);
    expect(git.stdout).to.equal("logged in to github.com for project demo as bob\n");

    const hub = await bosun(
      [
        "login",
        "docker",
        "--project",
        "demo",
        "--registry",
        "index.docker.io",
        "--username",
        "carol",
        "--password-stdin",
      ],
      env,
      DOCKER_PASSWORD,
    );
    expect(hub.stdout).to.equal("logged in to docker.io for project demo as carol\n");

    const { parsed, text } = await list();
    expect(parsed.map((c) => [c.project, c.kind, c.target, c.username])).to.deep.equal([
      ["demo", "docker", "127.0.0.1:5000", "alice"],
      ["demo", "docker", "docker.io", "carol"],
      ["demo", "git", "github.com", "bob"],
    ]);
    expect(text).not.to.include(DOCKER_PASSWORD).and.not.include(GIT_PASSWORD);
    expect((await list("--project", "other")).parsed).to.deep.equal([]);
    const table = await bosun(["credentials", "list"], env);
    expect(table.stdout.split("\n")[0]).to.match(/^OWNER\s+KIND\s+TARGET\s+USERNAME\s+UPDATED$/);
    expect(table.stdout).to.include("alice").and.not.include(DOCKER_PASSWORD);
  });

  it("has no --password flag, and wants exactly one password source", async () => {
    const base = ["login", "docker", "--project", "demo", "--registry", "r.example", "--username", "u"];
    const flag = await bosun([...base, "--password", "on-the-command-line"], env);
    expect(flag.code).not.to.equal(0);
    expect(flag.stderr).to.include("unknown option '--password'");
    const none = await bosun(base, env);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include("exactly one of --password-stdin or --password-file");
    expect(none.stderr).to.include("[USAGE_INVALID]");
  });

  it("answers bad requests without logging what they carried", async () => {
    const put = (path: string, body: string) =>
      fetch(`${env.BOSUN_SERVER}/api/v1/projects/${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${env.BOSUN_TOKEN}`, "content-type": "application/json" },
        body,
      });
    const login = JSON.stringify({ username: "u", password: DOCKER_PASSWORD });
    expect((await put("nope/credentials/docker/docker.io", login)).status).to.equal(404);
    expect((await put("demo/credentials/svn/example.com", login)).status).to.equal(400);
    expect((await put("demo/credentials/docker/not%20a%20host", login)).status).to.equal(400);
    expect(
      (await put("demo/credentials/docker/docker.io", `{"password": "${DOCKER_PASSWORD}"`)).status,
    ).to.equal(400);
    expect(
      (await put("demo/credentials/docker/docker.io", '{"username": "a:b", "password": "x"}')).status,
    ).to.equal(400);
  });

  it("never shows a password in the server's output or in the database file", async () => {
    const files = ["bosun.db", "bosun.db-wal"].map((f) => {
      try {
        return readFileSync(join(dir, "data", f));
      } catch {
        return Buffer.alloc(0);
      }
    });
    const bytes = Buffer.concat(files);
    expect(bytes.includes("alice"), "the logins are in the file").to.equal(true);
    for (const secret of [DOCKER_PASSWORD, GIT_PASSWORD]) {
      expect(bytes.includes(secret), `${secret} in the database`).to.equal(false);
      expect(serve.output).not.to.include(secret);
    }
  });

  it("opens a project's logins with the key, and another project sees none of them", async () => {
    await serve.stop();
    const store = await openSqliteStore({ dataDir: join(dir, "data") });
    try {
      const reader = createCredentialsReader(store.credentials, createSealer(KEY));
      expect(await reader("demo")).to.deep.equal({
        docker: [
          { registry: "127.0.0.1:5000", username: "alice", password: DOCKER_PASSWORD },
          { registry: "docker.io", username: "carol", password: DOCKER_PASSWORD },
        ],
        git: [{ host: "github.com", username: "bob", password: GIT_PASSWORD }],
      });
      expect(await reader("other")).to.deep.equal({ docker: [], git: [] });
    } finally {
      await store.close();
      await serve.start();
    }
  });

  it("with another key after a restart, the server runs and reading fails with a typed error", async () => {
    await serve.stop();
    writeFileSync(join(dir, "key"), "a-different-key-entirely-0123456789\n");
    serve.output = "";
    await serve.start();
    await list(); // listing needs no key
    // The server's reader (what its worker is given), in this process over the same data dir.
    await serve.stop();
    const config = parseConfig(readFileSync(join(dir, "bosun.yaml"), "utf8"), {
      file: join(dir, "bosun.yaml"),
    });
    process.env.BOSUN_LOG_LEVEL ??= "silent";
    const server = await startServer(
      { ...config.value!, port: 0 },
      { logger: createLogger(), worker: false },
    );
    try {
      const err = (await server.credentialsFor("demo").catch((e: unknown) => e)) as CredentialsError;
      expect(err.code).to.equal("CREDENTIALS_UNREADABLE");
      expect(err.message).to.include("credentials key").and.not.include(DOCKER_PASSWORD);
      expect(await server.credentialsFor("other")).to.deep.equal({ docker: [], git: [] });
    } finally {
      await server.close();
    }
    await serve.start();
    await waitFor(() => serve.output.includes("CREDENTIALS_UNREADABLE"));
    writeFileSync(join(dir, "key"), `${KEY}\n`);
  });

  it("without a key, refuses logins with CREDENTIALS_KEY_MISSING and says how to set one", async () => {
    await serve.stop();
    writeConfig("");
    await serve.start();
    const r = await bosun(
      [
        "login",
        "docker",
        "--project",
        "demo",
        "--registry",
        "ghcr.io",
        "--username",
        "x",
        "--password-stdin",
      ],
      env,
      "pw-without-key",
    );
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("[CREDENTIALS_KEY_MISSING]").and.include("credentials.keyFile");
    expect(r.stderr).to.include("BOSUN_CREDENTIALS_KEY");
    expect((await list("--project", "demo")).parsed).to.have.length(3);
  });

  it("logout removes a login; removing it again is NOT_FOUND", async () => {
    const out = await bosun(
      ["logout", "docker", "--project", "demo", "--registry", "registry-1.docker.io"],
      env,
    );
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.equal("logged out of docker.io for project demo\n");
    expect((await list("--project", "demo")).parsed.map((c) => c.target)).to.deep.equal([
      "127.0.0.1:5000",
      "github.com",
    ]);
    const again = await bosun(["logout", "docker", "--project", "demo", "--registry", "docker.io"], env);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("[NOT_FOUND]");
  });
});

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
