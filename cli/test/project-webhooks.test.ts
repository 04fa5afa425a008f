/**
 * The webhooks Bosun keeps on registries for projects made through the API, through a real `bosun
 * serve` and the strict stand-ins of Harbor's and Docker Hub's APIs: `bosun project add` with an
 * image-repository secret has the hook created once (after the registry's 500 and 429, retried);
 * a restarted server finds it by URL instead of adding a second; a new webhook token updates it once;
 * `project remove` removes it once. `--dry-run` changes nothing, bad options and another service
 * account's login are refused, and a registry without a webhook API shows the configuration to paste.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import {
  DOCKERHUB_LOGIN,
  HARBOR_LOGIN,
  startDockerHubStandIn,
  startHarborStandIn,
  type HookStandIn,
  type SeenRequest,
} from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { bosunCli } from "./support/bosun-cli.js";

const KEY = "cHJvamVjdC13ZWJob29rcy10ZXN0LWtleS0zMmJ5dGU=";
const TOKEN = "first-webhook-token-5b1c";
const NEW_TOKEN = "second-webhook-token-93de";
const PUBLIC_URL = "https://bosun.example.com";

interface Shown {
  webhook: {
    state: string;
    revision?: number;
    hookId?: string;
    url?: string;
    reason?: string;
    configuration?: string;
    error?: { code: string; message: string };
    retryAt?: string;
  };
}

interface Registry {
  kind: "harbor" | "dockerhub";
  project: string;
  standIn: HookStandIn;
  /** The login's registry: what --image-repository-secret names. */
  login: string;
  password: string;
  /** Requests that create, update and remove the hook. */
  creates(): SeenRequest[];
  updates(): SeenRequest[];
  removes(): SeenRequest[];
}

describe("projects' webhooks on the registry, kept by the server", function () {
  this.timeout(120_000);
  let bosun: BosunProcess;
  /** A second process on the same store, from the restart on. */
  let other: BosunProcess | undefined;
  let env: Record<string, string>;
  let harbor: Registry;
  let hub: Registry;
  const cli = (...args: string[]) => bosunCli(args, env);
  // The API itself, as `bosun project show --json` reads it: polled, so without a process each time.
  const show = async (name: string) => {
    const answer = await fetch(`${bosun.url}/api/v1/projects/${name}`, {
      headers: { authorization: `Bearer ${env.BOSUN_TOKEN}` },
    });
    return (await answer.json()) as Shown;
  };
  /** Waits (polling the API) until the project's webhook is as `done` says. */
  const until = async (name: string, done: (w: Shown["webhook"]) => boolean) => {
    for (;;) {
      const shown = await show(name);
      if (done(shown.webhook)) return shown.webhook;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Waits until the servers' logs say `text` `times` times in all. */
  const logged = async (text: string, times = 1, processes = () => [bosun, ...(other ? [other] : [])]) => {
    const count = () => processes().reduce((n, p) => n + p.stderr.split(text).length - 1, 0);
    while (count() < times) await new Promise((r) => setTimeout(r, 50));
  };

  before(async () => {
    const harborStandIn = await startHarborStandIn();
    const hubStandIn = await startDockerHubStandIn();
    const pipeline = (r: SeenRequest) => r.path.includes("/webhook_pipeline/");
    harbor = {
      kind: "harbor",
      project: "hb",
      standIn: harborStandIn,
      login: new URL(harborStandIn.url).host,
      password: HARBOR_LOGIN.password,
      creates: () => harborStandIn.requests.filter((r) => r.method === "POST"),
      updates: () => harborStandIn.requests.filter((r) => r.method === "PUT"),
      removes: () => harborStandIn.requests.filter((r) => r.method === "DELETE"),
    };
    hub = {
      kind: "dockerhub",
      project: "dh",
      standIn: hubStandIn,
      login: "docker.io",
      password: DOCKERHUB_LOGIN.password,
      creates: () => hubStandIn.requests.filter((r) => r.method === "POST" && pipeline(r)),
      // Docker Hub has no update: a changed pipeline is removed and created anew.
      updates: () => [],
      removes: () => hubStandIn.requests.filter((r) => r.method === "DELETE"),
    };
    bosun = await BosunProcess.start({
      config: ["credentials: { keyFile: ./key }", `server: { publicUrl: "${PUBLIC_URL}" }`].join("\n"),
      files: {
        key: KEY,
        token: `${TOKEN}\n`,
        "new-token": `${NEW_TOKEN}\n`,
        "harbor-password": HARBOR_LOGIN.password,
        "hub-password": DOCKERHUB_LOGIN.password,
      },
      env: { BOSUN_CREDENTIALS_KEY: "", BOSUN_LOG_LEVEL: "info" },
    });
    env = {
      BOSUN_SERVER: bosun.url,
      BOSUN_TOKEN: readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim(),
    };
    for (const account of ["ci", "other"]) {
      const created = await cli("serviceaccount", "create", account);
      expect(created.code, created.stderr).to.equal(0);
    }
    const login = async (account: string, registry: string, username: string, file: string) => {
      const r = await cli(
        "login",
        "docker",
        "--service-account",
        account,
        "--registry",
        registry,
        "--username",
        username,
        "--password-file",
        join(bosun.dir, file),
      );
      expect(r.code, r.stderr).to.equal(0);
    };
    await login("ci", harbor.login, HARBOR_LOGIN.username, "harbor-password");
    await login("ci", "docker.io", DOCKERHUB_LOGIN.username, "hub-password");
    // Another account's login, for a registry the project's account has none for.
    await login("other", "harbor.other.example", HARBOR_LOGIN.username, "harbor-password");
    const git = await cli(
      "login",
      "git",
      "--service-account",
      "ci",
      "--host",
      "git.example.com",
      "--username",
      "ci-bot",
      "--password-file",
      join(bosun.dir, "harbor-password"),
    );
    expect(git.code, git.stderr).to.equal(0);
  });
  after(async () => {
    await other?.stop();
    await bosun?.dispose();
    await harbor?.standIn.close();
    await hub?.standIn.close();
  });

  const addArgs = (r: Registry, ...more: string[]) => [
    "project",
    "add",
    r.project,
    "--script",
    "/srv/hooks/build.js",
    "--registry",
    r.kind,
    "--image-repository",
    r.standIn.repository,
    "--service-account",
    "ci",
    "--webhook-token-file",
    join(bosun.dir, "token"),
    "--image-repository-secret",
    r.login,
    "--image-repository-api",
    r.standIn.url,
    ...more,
  ];
  const secretsIn = (text: string) =>
    [TOKEN, NEW_TOKEN, HARBOR_LOGIN.password, DOCKERHUB_LOGIN.password].filter((s) => text.includes(s));

  it("--dry-run prints the webhook that would be kept, without its token, and changes nothing", async () => {
    const dry = await cli(...addArgs(harbor, "--dry-run"));
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.include(
      `webhook: would be kept on harbor for library/webapp, at ${PUBLIC_URL}/events/harbor/hb (API ${harbor.standIn.url})`,
    );
    expect(secretsIn(dry.stdout + dry.stderr)).to.deep.equal([]);
    expect(harbor.standIn.requests).to.deep.equal([]);
    const list = JSON.parse((await cli("project", "list", "--json")).stdout) as unknown[];
    expect(list).to.deep.equal([]);
  });

  it("refuses bad options and a login that is not the project's or its service account's, naming the option", async () => {
    const cases: [string[], string[]][] = [
      [
        ["--url", "bosun.example.com/hooks"],
        ["--url: not an http(s) URL", "at webhookUrl"],
      ],
      [["--image-repository-api", "ftp://harbor"], ["--image-repository-api: not an http(s) URL"]],
      [["--image-repository-secret", "not a host!"], ["--image-repository-secret: not the name of a login"]],
      [
        ["--image-repository-secret", "harbor.other.example"],
        [
          "--image-repository-secret: the docker login for harbor.other.example belongs to another service account",
          "expected a docker login of service account ci or of project hb",
        ],
      ],
      [
        ["--image-repository-secret", "harbor.nowhere.example"],
        ["no docker login for harbor.nowhere.example"],
      ],
      [
        ["--dispatchfile-repository-scm-secret", "github.com"],
        ["--dispatchfile-repository-scm-secret: no git login for github.com"],
      ],
      [
        [
          "--dispatchfile-repository",
          "https://git.other.example/team/ci.git",
          "--dispatchfile-repository-scm-secret",
          "git.example.com",
        ],
        [
          "--dispatchfile-repository-scm-secret: the login is for git.example.com, not the host of the Dispatchfile repository",
          "expected the git host of --dispatchfile-repository (git.other.example)",
        ],
      ],
    ];
    for (const [options, messages] of cases) {
      const r = await cli(...addArgs(harbor, ...options));
      expect(r.code, options.join(" ")).to.equal(1);
      expect(r.stderr).to.include("[PAYLOAD_MALFORMED]");
      for (const m of messages) expect(r.stderr, options.join(" ")).to.include(m);
    }
    const filed = await cli(...addArgs(harbor), "--config", join(bosun.dir, "other.yaml"));
    expect(filed.stderr).to.include(
      "--image-repository-secret: Bosun keeps the webhooks of projects made through the API",
    );
    // The account's git login for the Dispatchfile repository's host is taken.
    const scm = await cli(
      ...addArgs(harbor, "--dry-run"),
      "--dispatchfile-repository",
      "https://git.example.com/team/ci.git",
      "--dispatchfile-repository-scm-secret",
      "git.example.com",
    );
    expect(scm.code, scm.stderr).to.equal(0);
    expect(harbor.standIn.requests).to.deep.equal([]);
    expect(JSON.parse((await cli("project", "list", "--json")).stdout)).to.deep.equal([]);
  });

  it("creates each hook once, after the registry's 500 and 429 (its Retry-After), and shows each state", async () => {
    // The registry answers 500 until the state says so, then 429 until it says so, then works.
    let answering: "500" | "429" | "ok" = "500";
    for (const r of [harbor, hub]) {
      r.standIn.failNext(500, { when: () => answering === "500", times: Infinity });
      r.standIn.failNext(429, {
        when: () => answering === "429",
        times: Infinity,
        headers: { "retry-after": "1" },
      });
    }
    for (const r of [harbor, hub]) {
      const added = await cli(...addArgs(r));
      expect(added.code, added.stderr).to.equal(0);
    }
    for (const r of [harbor, hub]) {
      const failed = await until(
        r.project,
        (w) => w.state === "failed" && w.error?.code === "WEBHOOK_API_ERROR",
      );
      expect(failed.error!.message).to.include("HTTP 500");
      expect(Date.parse(failed.retryAt!)).to.be.greaterThan(Date.now() - 60_000);
    }
    answering = "429";
    for (const r of [harbor, hub]) {
      const limited = await until(
        r.project,
        (w) => w.state === "failed" && w.error?.code === "WEBHOOK_RATE_LIMITED",
      );
      expect(limited.error!.message).to.include("HTTP 429").and.include("retry after 1 s");
    }
    answering = "ok";
    for (const r of [harbor, hub]) {
      const registered = await until(r.project, (w) => w.state === "registered");
      expect(registered).to.deep.include({ revision: 1, url: `${PUBLIC_URL}/events/${r.kind}/${r.project}` });
      expect(registered.hookId).to.be.a("string").and.not.equal("");
      expect(r.creates()).to.have.length(1);
      expect(r.standIn.hookCount()).to.equal(1);
      expect(r.standIn.violations).to.deep.equal([]);
      const text = await cli("project", "show", r.project);
      expect(text.stdout).to.include(`webhook: registered on ${r.kind} for ${r.standIn.repository}`);
      expect(secretsIn(text.stdout + JSON.stringify(await show(r.project)))).to.deep.equal([]);
    }
    expect(secretsIn(bosun.stderr)).to.deep.equal([]);
  });

  it("finds each hook again by its URL after a restart, rather than adding a second, as does a second process", async () => {
    await bosun.stop();
    await bosun.restart();
    // Each process looks at every hook once when it starts.
    await logged('"change":"unchanged"', 2, () => [bosun]);
    other = await BosunProcess.start({
      dir: bosun.dir,
      command: ["worker"],
      config: "",
      env: { BOSUN_CREDENTIALS_KEY: "", BOSUN_LOG_LEVEL: "info" },
    });
    await logged('"change":"unchanged"', 2, () => [other!]);
    for (const r of [harbor, hub]) {
      expect(r.creates()).to.have.length(1);
      expect(r.standIn.hookCount()).to.equal(1);
      expect((await show(r.project)).webhook.state).to.equal("registered");
    }
  });

  it("updates the hook once when the project's webhook token changes, whichever process applies it", async () => {
    for (const r of [harbor, hub]) {
      const updated = await cli(
        "project",
        "update",
        r.project,
        "--webhook-token-file",
        join(bosun.dir, "new-token"),
      );
      expect(updated.code, updated.stderr).to.equal(0);
      await until(r.project, (w) => w.state === "registered" && w.revision === 2);
    }
    await logged('"change":"updated"', 2);
    expect(harbor.updates()).to.have.length(1);
    expect(JSON.stringify(harbor.updates()[0]!.body)).to.include(`Bearer ${NEW_TOKEN}`);
    // Docker Hub: the old pipeline removed, the new one (with the new token in its URL) created.
    expect(hub.removes()).to.have.length(1);
    expect(hub.creates()).to.have.length(2);
    expect(JSON.stringify(hub.creates()[1]!.body)).to.include(NEW_TOKEN);
    for (const r of [harbor, hub]) expect(r.standIn.hookCount()).to.equal(1);
  });

  it("removes the hook once when the project is removed", async () => {
    const removesBefore = hub.removes().length;
    for (const r of [harbor, hub]) {
      const removed = await cli("project", "remove", r.project);
      expect(removed.code, removed.stderr).to.equal(0);
    }
    await logged("webhook removed from the registry", 2);
    expect(harbor.removes()).to.have.length(1);
    expect(hub.removes()).to.have.length(removesBefore + 1);
    for (const r of [harbor, hub]) {
      expect(r.standIn.hookCount()).to.equal(0);
      expect(r.standIn.violations).to.deep.equal([]);
    }
  });

  it("takes the project's own login, and removes the hook when the project's secret is removed", async () => {
    const base = [
      "--script",
      "/srv/hooks/build.js",
      "--registry",
      "harbor",
      "--image-repository",
      "library/webapp",
    ];
    const added = await cli(
      "project",
      "add",
      "own",
      ...base,
      "--webhook-token-file",
      join(bosun.dir, "token"),
    );
    expect(added.code, added.stderr).to.equal(0);
    const login = await cli(
      "login",
      "docker",
      "--project",
      "own",
      "--registry",
      harbor.login,
      "--username",
      HARBOR_LOGIN.username,
      "--password-file",
      join(bosun.dir, "harbor-password"),
    );
    expect(login.code, login.stderr).to.equal(0);
    const creates = harbor.creates().length;
    const updated = await cli(
      "project",
      "update",
      "own",
      "--image-repository-secret",
      harbor.login,
      "--image-repository-api",
      harbor.standIn.url,
    );
    expect(updated.code, updated.stderr).to.equal(0);
    await until("own", (w) => w.state === "registered");
    expect(harbor.creates()).to.have.length(creates + 1);
    expect(harbor.standIn.hookCount()).to.equal(1);

    const removes = harbor.removes().length;
    const patched = await fetch(`${bosun.url}/api/v1/projects/own`, {
      method: "PUT",
      headers: { authorization: `Bearer ${env.BOSUN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ imageRepositorySecret: null }),
    });
    expect(patched.status).to.equal(200);
    expect((await show("own")).webhook.state).to.equal("not applicable");
    await logged("webhook removed from the registry", 3);
    expect(harbor.removes()).to.have.length(removes + 1);
    expect(harbor.standIn.hookCount()).to.equal(0);
  });

  it("says when a webhook is not Bosun's to keep: no image-repository secret, or a registry without a webhook API", async () => {
    const plain = await cli(
      "project",
      "add",
      "plain",
      "--script",
      "/srv/hooks/build.js",
      "--registry",
      "harbor",
      "--image-repository",
      "library/webapp",
    );
    expect(plain.code, plain.stderr).to.equal(0);
    expect((await show("plain")).webhook).to.deep.equal({
      state: "not applicable",
      reason:
        "the project has no image-repository secret (--image-repository-secret), so Bosun does not manage its webhook",
    });
    const pasted = await cli(
      "project",
      "add",
      "pasted",
      "--script",
      "/srv/hooks/build.js",
      "--registry",
      "distribution",
      "--image-repository",
      "team/app",
      "--webhook-token-file",
      join(bosun.dir, "token"),
    );
    expect(pasted.code, pasted.stderr).to.equal(0);
    const { webhook } = await show("pasted");
    expect(webhook.state).to.equal("not applicable");
    expect(webhook.configuration)
      .to.include("notifications:")
      .and.include(`url: ${PUBLIC_URL}/events/distribution/pasted`);
    expect(webhook.configuration).to.include("Bearer <the project's webhookToken>").and.not.include(TOKEN);
    const text = await cli("project", "show", "pasted");
    expect(text.stdout).to.include("webhook: not applicable: distribution has no webhook API Bosun uses");
    expect(text.stdout).to.include("    notifications:");
  });
});
