/**
 * Projects made through the API, against a real `bosun serve`: `bosun project add` with Dispatch's
 * options takes pushes from a real registry at once and runs the Dispatchfile of a real git repository
 * in Podman, without a restart; a second process on the same store sees it within its refresh;
 * update, export and remove; and the refusals (a file-managed project, bad options, a second add).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  ensureTestImage,
  freePort,
  git,
  startDockerSocket,
  startRegistry,
  TEST_IMAGE,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { bosunCli } from "./support/bosun-cli.js";

const TOKEN = "project-api-webhook-token";
const KEY = "cHJvamVjdC1hcGktdGVzdC1rZXktMzItYnl0ZXMhISE=";
const YAML_DISPATCHFILE = `#!mesosphere/dispatch-yaml:v0.6
task:
  announce:
    steps:
      - name: say
        image: ${TEST_IMAGE}
        command: ["echo", "released $(context.image.tag)"]
actions:
  - tasks: [announce]
    "on":
      image:
        push: {}
`;

describe("projects through the API: add, live at once, update, export, remove", function () {
  this.timeout(240_000);
  let socket: DockerSocket;
  let registry: TestRegistry;
  let bosun: BosunProcess;
  let other: BosunProcess;
  let repo: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => bosunCli(args, env);

  before(async () => {
    ensureTestImage();
    repo = mkdtempSync(join(tmpdir(), "bosun-pipelines-"));
    mkdirSync(join(repo, "ci"));
    git(repo, "init", "--quiet", "--initial-branch=main");
    writeFileSync(join(repo, "ci", "Dispatchfile"), YAML_DISPATCHFILE);
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "pipelines");
    socket = await startDockerSocket();
    const port = await freePort();
    registry = await startRegistry({
      notifyUrl: `http://127.0.0.1:${port}/events/distribution/released`,
      notifyHeaders: { Authorization: [`Bearer ${TOKEN}`] },
    });
    bosun = await BosunProcess.start({
      port,
      config: [
        "credentials: { keyFile: ./key }",
        `docker: { socket: ${socket.socketPath}, insecureRegistries: ["${registry.host}"] }`,
        "projects:",
        "  - { name: filed, script: ./filed.js, subscriptions: [{ registry: quay }] }",
      ].join("\n"),
      files: { key: KEY, "filed.js": "", token: `${TOKEN}\n` },
      env: { BOSUN_CREDENTIALS_KEY: "" },
    });
    env = {
      BOSUN_SERVER: bosun.url,
      BOSUN_TOKEN: readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim(),
    };
  });
  after(async () => {
    await other?.dispose();
    await bosun?.dispose();
    await registry?.stop();
    await socket?.stop();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const addArgs = () => [
    "project",
    "add",
    "released",
    "--image-repository",
    "team/app",
    "--registry",
    "distribution",
    "--dispatchfile-repository",
    `file://${repo}`,
    "--dispatchfile-path",
    "ci/Dispatchfile",
    "--webhook-token-file",
    join(bosun.dir, "token"),
    "--timeout",
    "5m",
    "--log-storage-rules",
    '[{"maxBuildRuns": 20, "tasks": "*"}]',
  ];

  it("--dry-run checks the project and changes nothing", async () => {
    const dry = await cli(...addArgs(), "--dry-run");
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.include("would add project released").and.include('"managedBy": "api"');
    expect(dry.stdout).not.to.include(TOKEN);
    const list = JSON.parse((await cli("project", "list", "--json")).stdout) as { name: string }[];
    expect(list.map((p) => p.name)).to.deep.equal(["filed"]);
  });

  it("adds a project that takes a push from the real registry at once and runs its Dispatchfile from git", async () => {
    const added = await cli(...addArgs());
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.equal("added project released (revision 1)\n");
    const shown = JSON.parse((await cli("project", "show", "released", "--json")).stdout) as Record<
      string,
      unknown
    >;
    expect(shown).to.deep.include({
      managedBy: "api",
      dispatchfile: { git: { url: `file://${repo}`, revision: "main", path: "ci/Dispatchfile" } },
      subscriptions: [{ registry: "distribution", repositories: ["team/app"], tags: [] }],
    });
    expect(JSON.stringify(shown)).not.to.include(TOKEN);

    await registry.push("team/app", "v1.0.0");
    const [run] = await bosun.api.finishedRuns("?project=released", 1, 120_000);
    const log = await bosun.api.logs(run!.id);
    expect(run!.status, `${JSON.stringify(run)}\n${log}\n${bosun.stderr}`).to.equal("succeeded");
    expect(await bosun.api.logs(run!.id, "announce-say")).to.include("released v1.0.0");
  });

  it("is live on another process sharing the store within its refresh", async () => {
    other = await BosunProcess.start({
      dir: bosun.dir,
      command: ["worker"],
      config: "",
      env: { BOSUN_CREDENTIALS_KEY: "" },
    });
    const deadline = Date.now() + 20_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      names = (await other.api.get<{ projects: { name: string }[] }>("/projects")).projects.map(
        (p) => p.name,
      );
      if (names.includes("released")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(names).to.deep.equal(["filed", "released"]);
  });

  it("update changes only what it is given; a push the new tags exclude starts nothing", async () => {
    const updated = await cli("project", "update", "released", "--tag", "v2*");
    expect(updated.code, updated.stderr).to.equal(0);
    expect(updated.stdout).to.equal("updated project released (revision 2)\n");
    await registry.push("team/app", "v1.1.0");
    await registry.push("team/app", "v2.0.0");
    await bosun.api.finishedRuns("?project=released", 2, 120_000);
    const events = await bosun.api.events("released");
    expect(events.map((e) => (e.image as { tag: string }).tag).sort()).to.deep.equal(["v1.0.0", "v2.0.0"]);
    // The webhook token was kept: v2.0.0 got through the gateway.
  });

  it("export prints the block for bosun.yaml, its token as ${env:...}", async () => {
    const out = await cli("project", "export", "released");
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.include("# set these in the server's environment: RELEASED_WEBHOOK_TOKEN");
    expect(out.stdout).to.include("webhookToken: ${env:RELEASED_WEBHOOK_TOKEN}");
    expect(out.stdout).to.include("path: ci/Dispatchfile").and.include("- v2*");
    expect(out.stdout).not.to.include(TOKEN);
  });

  it("refuses a second add, a file project, and bad options, naming what was wrong", async () => {
    const again = await cli(...addArgs());
    expect(again.stderr).to.include("[PROJECT_EXISTS]");
    for (const args of [
      ["project", "update", "filed", "--tag", "v*"],
      ["project", "remove", "filed"],
      ["project", "export", "filed"],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).to.equal(1);
      expect(r.stderr).to.include("[PROJECT_FILE_MANAGED]").and.include("bosun.yaml");
    }
    const badRegistry = await cli("project", "add", "x", "--script", "/srv/x.js", "--registry", "nope");
    expect(badRegistry.stderr).to.include("subscriptions[0].registry").and.include("[PAYLOAD_MALFORMED]");
    const badRules = await cli("project", "add", "x", "--script", "/srv/x.js", "--log-storage-rules", "{");
    expect(badRules.stderr).to.include("--log-storage-rules: expected a JSON array");
    const literal = await cli(
      "project",
      "add",
      "x",
      "--script",
      "/srv/x.js",
      "--webhook-token",
      "t0ken-t0ken",
    );
    expect(literal.stderr).to.include("--webhook-token-file");
    const envRead = await fetch(`${bosun.url}/api/v1/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.BOSUN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "leaky",
        script: "/srv/x.js",
        secrets: { HOME: "${env:HOME}" },
        subscriptions: [{ registry: "quay" }],
      }),
    });
    expect(envRead.status).to.equal(400);
    expect(((await envRead.json()) as { error: { path: string } }).error.path).to.equal("secrets.HOME");
    const anonymous = await fetch(`${bosun.url}/api/v1/projects`, { method: "POST" });
    expect(anonymous.status).to.equal(401);
  });

  it("remove stops the project at once: the registry's next push is refused", async () => {
    const dry = await cli("project", "remove", "released", "--dry-run");
    expect(dry.stdout).to.equal("would remove project released\n");
    const removed = await cli("project", "remove", "released");
    expect(removed.code, removed.stderr).to.equal(0);
    const notify = await fetch(`${bosun.url}/events/distribution/released`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        "content-type": "application/vnd.docker.distribution.events.v1+json",
      },
      body: JSON.stringify({ events: [] }),
    });
    expect(notify.status).to.equal(401);
    const shown = await cli("project", "show", "released");
    expect(shown.stderr).to.include("[NOT_FOUND]");
  });
});
