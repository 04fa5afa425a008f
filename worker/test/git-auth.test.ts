/**
 * Clones with the project's git login (`bosun login git`): a bare repository served over https by the
 * real `git http-backend` (CGI) behind a small node server that demands HTTP Basic auth, cloned by
 * the Dispatchfile handler's git code with the right login, with none and with a wrong one; then a
 * whole run whose Dispatchfile and git resource both come from that repository.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  BosunError,
  type GitLogin,
  type JobResult,
  type JobSpec,
  type ProjectCredentials,
  type Run,
  type SourceRef,
} from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { runPush, testProject } from "./support/runs.js";
import { DispatchfileHandler } from "../src/handlers/dispatchfile/index.js";
import { git } from "@bosun/test-support";
import { cloneAt, gitAccess, GitError } from "../src/handlers/dispatchfile/git.js";

const USER = "deploy-bot";
const PASSWORD = "git-t0ken-Hx93kq";
const FIXTURES = new URL("../../test/fixtures/dispatchfile-run/", import.meta.url).pathname;

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

/** `git http-backend` behind Basic auth over https: every request without the right login gets 401. */
class GitServer {
  readonly seen: Seen[] = [];
  private readonly server: https.Server;

  constructor(
    private readonly root: string,
    tls: { key: Buffer; cert: Buffer },
  ) {
    this.server = https.createServer(tls, (req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const authorization = req.headers.authorization;
    this.seen.push({ method: req.method ?? "", url: req.url ?? "", authorization });
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
    if (authorization !== expected) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const url = new URL(req.url ?? "/", "https://git.test");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: "1",
        REMOTE_USER: USER,
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
        ...(req.headers["content-encoding"]
          ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] }
          : {}),
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
      },
      stdio: ["pipe", "pipe", "ignore"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString("latin1");
      const crlf = text.indexOf("\r\n\r\n");
      const lf = text.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end));
    });
    cgi.on("close", () => {
      if (!headersDone) res.writeHead(502);
      res.end();
    });
  }
}

describe("git logins (Dispatchfile clones over authenticated https)", function () {
  this.timeout(60_000);
  let dir: string;
  let server: GitServer;
  let url: string;
  let commit: string;
  let previousCaInfo: string | undefined;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "bosun-git-auth-"));
    // A certificate git trusts for 127.0.0.1: clones go over https, as a login is only sent there.
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "key.pem", "-out", "cert.pem"],
      ],
      { cwd: dir, stdio: "ignore" },
    );
    previousCaInfo = process.env.GIT_SSL_CAINFO;
    process.env.GIT_SSL_CAINFO = join(dir, "cert.pem");

    const work = join(dir, "work");
    mkdirSync(work);
    git(work, "init", "--quiet", "--initial-branch=main");
    copyFileSync(join(FIXTURES, "from-git.cue"), join(work, "Dispatchfile"));
    writeFileSync(join(work, "README"), "private repository\n");
    git(work, "add", ".");
    git(work, "commit", "--quiet", "-m", "first");
    commit = git(work, "rev-parse", "HEAD");
    mkdirSync(join(dir, "repos", "team"), { recursive: true });
    git(dir, "clone", "--quiet", "--bare", work, join(dir, "repos", "team", "app.git"));

    server = new GitServer(join(dir, "repos"), {
      key: readFileSync(join(dir, "key.pem")),
      cert: readFileSync(join(dir, "cert.pem")),
    });
    await server.start();
    url = `https://${server.host}/team/app.git`;
  });
  after(async function () {
    await server?.stop();
    if (previousCaInfo === undefined) delete process.env.GIT_SSL_CAINFO;
    else process.env.GIT_SSL_CAINFO = previousCaInfo;
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(function () {
    server.seen.length = 0;
  });

  const login = (password = PASSWORD): GitLogin => ({ host: server.host, username: USER, password });
  let clones = 0;
  const target = () => join(dir, `clone-${++clones}`);

  async function cloneError(logins: GitLogin[]): Promise<GitError> {
    try {
      await cloneAt(url, undefined, target(), new AbortController().signal, { logins, project: "shop" });
    } catch (err) {
      expect(err).to.be.instanceOf(GitError);
      return err as GitError;
    }
    throw new Error("the clone succeeded");
  }

  it("clones with the project's login for the URL's host, sent as a header from the first request", async function () {
    const into = target();
    const others: GitLogin = { host: "github.com", username: "someone", password: "other-secret" };
    const checkout = await cloneAt(url, "main", into, new AbortController().signal, {
      logins: [others, login()],
      project: "shop",
    });
    expect(checkout).to.deep.equal({ commit, branch: "main", tag: "" });
    expect(readFileSync(join(into, "README"), "utf8")).to.equal("private repository\n");
    expect(server.seen.length).to.be.at.least(2);
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
    for (const s of server.seen) {
      expect(s.authorization, s.url).to.equal(basic);
      expect(s.url).to.not.include(PASSWORD);
    }
    // Nothing of the login is left in the clone's own configuration.
    expect(readFileSync(join(into, ".git", "config"), "utf8")).to.not.include(PASSWORD);
    expect(git(into, "remote", "get-url", "origin")).to.equal(url);
  });

  it("fails at once and clearly without a login, naming the host and `bosun login git`", async function () {
    const started = Date.now();
    const err = await cloneError([{ host: "github.com", username: USER, password: PASSWORD }]);
    expect(Date.now() - started, "no prompt waited on").to.be.below(15_000);
    expect(err.message).to.include("git clone failed");
    expect(err.message).to.include(`${server.host} wants a login, and project "shop" has none for it`);
    expect(err.message).to.include(`bosun login git --project shop --host ${server.host}`);
    expect(err.message).to.not.include(PASSWORD);
  });

  it("fails clearly, without the password, when the login is refused", async function () {
    const wrong = "wrong-t0ken-Zz81";
    const err = await cloneError([login(wrong)]);
    expect(err.message).to.include(`${server.host} refused the login of user "${USER}"`);
    expect(err.message).to.include(`bosun login git --project shop --host ${server.host}`);
    for (const secret of [wrong, PASSWORD, Buffer.from(`${USER}:${wrong}`).toString("base64")]) {
      expect(err.message).to.not.include(secret);
    }
  });

  it("sends a login over https only, to its own host, and leaves URLs with their own user alone", function () {
    const logins = [login(), { host: "git.example.com", username: "u", password: "p" }];
    const https = gitAccess(url, logins);
    expect(https.login?.username).to.equal(USER);
    expect(https.env.GIT_CONFIG_COUNT).to.match(/^\d+$/);
    const n = Number(https.env.GIT_CONFIG_COUNT) - 1;
    expect(https.env[`GIT_CONFIG_KEY_${n}`]).to.equal(`http.https://${server.host}/.extraHeader`);
    expect(https.env[`GIT_CONFIG_VALUE_${n}`]).to.equal(
      `Authorization: Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`,
    );
    const plain = gitAccess("http://git.example.com/team/app.git", logins);
    expect(plain.env).to.deep.equal({});
    expect(plain.withheld?.username).to.equal("u");
    expect(gitAccess("https://Git.Example.com:443/team/app.git", logins).login?.username).to.equal("u");
    expect(gitAccess("https://other@git.example.com/team/app.git", logins).env).to.deep.equal({});
    expect(gitAccess("git@git.example.com:team/app.git", logins).env).to.deep.equal({});
    expect(gitAccess("/srv/git/app", logins).env).to.deep.equal({});
  });

  describe("a run whose Dispatchfile lives in the private repository", function () {
    let store: Store;
    let data: string;

    beforeEach(async function () {
      data = mkdtempSync(join(dir, "data-"));
      store = await openSqliteStore({ dataDir: data });
    });
    afterEach(async function () {
      await store.close();
    });

    async function runWith(
      credentialsFor: (project: string) => Promise<ProjectCredentials>,
    ): Promise<{ run: Run; log: string; jobs: JobSpec[] }> {
      const dispatchfile: SourceRef = { git: { url, revision: "main", path: "Dispatchfile" } };
      const jobs: JobSpec[] = [];
      const { run, log } = await runPush(store, testProject({ name: "shop", dispatchfile }), {
        handlerFor: () => new DispatchfileHandler({ workDir: data }),
        executorFor: () => ({ kind: "docker", run: () => Promise.reject(new Error("not used")) }),
        launcherFor: () => async (spec) => {
          jobs.push(spec);
          const at = new Date().toISOString();
          const result: JobResult = {
            outcome: "succeeded",
            exitCode: 0,
            output: "",
            startedAt: at,
            finishedAt: at,
          };
          return result;
        },
        credentialsFor,
      });
      return { run, log, jobs };
    }

    it("reads the Dispatchfile and clones its git resource with the project's login", async function () {
      const asked: string[] = [];
      const { run, log, jobs } = await runWith(async (project) => {
        asked.push(project);
        return { docker: [], git: [login()] };
      });
      expect(run.status, log).to.equal("succeeded");
      expect(asked).to.deep.equal(["shop"]);
      expect(jobs.map((j) => j.args)).to.deep.equal([[url, commit, "main", ""]]);
      expect(log).to.contain(`task show: cloned git resource self at ${commit.slice(0, 12)}`);
      expect(log).to.not.include(PASSWORD);
      // The Dispatchfile's clone and the resource's clone, each authenticated.
      expect(server.seen.filter((s) => s.url.includes("info/refs")).length).to.equal(2);
      expect(server.seen.every((s) => s.authorization)).to.equal(true);
    });

    it("fails the run, saying how to log in, when the project has no login for the host", async function () {
      const { run, log, jobs } = await runWith(async () => ({ docker: [], git: [] }));
      expect(run.status).to.equal("failed");
      expect(run.error?.code).to.equal("DISPATCHFILE_NOT_FOUND");
      expect(run.error?.message).to.include(`bosun login git --project shop --host ${server.host}`);
      expect(log).to.include("cannot fetch the Dispatchfile");
      expect(jobs).to.deep.equal([]);
    });

    it("fails the run with the reader's error when the logins cannot be read, before cloning anything", async function () {
      const { run, log, jobs } = await runWith(() =>
        Promise.reject(
          new BosunError("CREDENTIALS_UNREADABLE", 'the logins of project "shop" do not open with this key'),
        ),
      );
      expect(run.status).to.equal("failed");
      expect(run.error).to.deep.equal({
        code: "CREDENTIALS_UNREADABLE",
        message: 'the logins of project "shop" do not open with this key',
      });
      expect(log).to.include("do not open with this key");
      expect(jobs).to.deep.equal([]);
      expect(server.seen).to.deep.equal([]);
    });

    it("names a reader's unexpected failure as CREDENTIALS_UNREADABLE", async function () {
      const { run } = await runWith(() => Promise.reject(new Error("disk I/O error")));
      expect(run.status).to.equal("failed");
      expect(run.error?.code).to.equal("CREDENTIALS_UNREADABLE");
      expect(run.error?.message).to.equal('the logins of project "shop" cannot be read: disk I/O error');
    });
  });
});
