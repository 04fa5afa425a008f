/**
 * Service accounts through a real `bosun serve`: created and removed with the CLI, holding a registry
 * login that only the projects naming the account pull with, from a docker-registry that demands one.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import {
  ensureTestImage,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { bosunCli } from "./support/bosun-cli.js";

const USER = "team-a-robot";
const PASSWORD = "Team-A-pull-Zq93x";
const KEY = "c2VydmljZS1hY2NvdW50LXRlc3Qta2V5LTMyYnl0ZXM=";
const pulling = (image: string) =>
  `const { events, Job } = require("brigadier");\n` +
  `events.on("image_push", async () => { await new Job("pull", ${JSON.stringify(image)}, ["echo pulled"]).run(); });\n`;

describe("service accounts: logins shared by the projects that name them", function () {
  this.timeout(180_000);
  let socket: DockerSocket;
  let registry: TestRegistry;
  let bosun: BosunProcess;
  let env: Record<string, string>;
  const images: string[] = [];
  const cli = (args: string[]) => bosunCli(args, env);

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    registry = await startRegistry({ auth: { users: [{ username: USER, password: PASSWORD }] } });
    for (const repo of ["team/alpha", "team/beta"]) images.push((await registry.push(repo, "v1")).ref);
    const project = (name: string, account: string) =>
      `  - { name: ${name}, script: ./${name}.js, serviceAccount: ${account}, webhookToken: sa-webhook-token, subscriptions: [{ registry: dockerhub }] }`;
    bosun = await BosunProcess.start({
      config: [
        "credentials: { keyFile: ./key }",
        `docker: { socket: ${socket.socketPath}, insecureRegistries: ["${registry.host}"] }`,
        "projects:",
        project("alpha", "team-a"),
        project("beta", "team-b"),
        project("lost", "missing"),
      ].join("\n"),
      files: {
        key: KEY,
        "alpha.js": pulling(images[0]!),
        "beta.js": pulling(images[1]!),
        "lost.js": pulling(images[0]!),
        password: `${PASSWORD}\n`,
      },
      env: { BOSUN_CREDENTIALS_KEY: "" },
    });
    env = {
      BOSUN_SERVER: bosun.url,
      BOSUN_TOKEN: readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim(),
    };
  });
  after(async () => {
    await bosun?.dispose();
    await registry?.stop();
    await socket?.stop();
    for (const image of images) await promisify(execFile)("podman", ["rmi", "-f", image]).catch(() => 0);
  });

  it("creates accounts, refuses a second of a name and a bad name, and lists who names them", async () => {
    for (const name of ["team-a", "team-b"]) {
      const r = await cli(["serviceaccount", "create", name]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(`created service account ${name}\n`);
    }
    const again = await cli(["serviceaccount", "create", "team-a"]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("[CREDENTIALS_SERVICE_ACCOUNT_EXISTS]");
    const bad = await cli(["serviceaccount", "create", "Team_A"]);
    expect(bad.stderr).to.include("[PAYLOAD_MALFORMED]").and.include('"Team_A"');

    const list = await cli(["serviceaccount", "list", "--json"]);
    const accounts = JSON.parse(list.stdout) as { name: string; projects: string[] }[];
    expect(accounts.map((a) => [a.name, a.projects])).to.deep.equal([
      ["team-a", ["alpha"]],
      ["team-b", ["beta"]],
    ]);
  });

  it("logs an account in, refusing an unknown account and a login with two owners", async () => {
    const login = (owner: string[]) =>
      cli([
        "login",
        "docker",
        ...owner,
        "--registry",
        registry.host,
        "--username",
        USER,
        "--password-file",
        `${bosun.dir}/password`,
      ]);
    const ok = await login(["--service-account", "team-a"]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal(`logged in to ${registry.host} for service account team-a as ${USER}\n`);
    const unknown = await login(["--service-account", "nobody"]);
    expect(unknown.stderr).to.include("[CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND]");
    const both = await login(["--service-account", "team-a", "--project", "alpha"]);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include("exactly one of --project <name> or --service-account <name>");

    const listed = await cli(["credentials", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).to.deep.equal([
      {
        serviceAccount: "team-a",
        kind: "docker",
        target: registry.host,
        username: USER,
        updatedAt: (JSON.parse(listed.stdout) as { updatedAt: string }[])[0]!.updatedAt,
      },
    ]);
    const own = await cli(["credentials", "list", "--service-account", "team-a"]);
    expect(own.stdout)
      .to.match(/^OWNER\s+KIND/)
      .and.include(`serviceaccount/team-a`);
    expect(listed.stdout + own.stdout + bosun.stderr).not.to.include(PASSWORD);
  });

  it("the project naming the account pulls with its login; another account's project does not", async () => {
    for (const project of ["alpha", "beta", "lost"]) {
      const r = await cli([
        "trigger",
        "dockerhub",
        "--project",
        project,
        "--repository",
        "team/x",
        "--tag",
        "v1",
      ]);
      expect(r.code, r.stderr).to.equal(0);
    }
    const [alpha] = await bosun.api.finishedRuns("?project=alpha", 1, 120_000);
    expect(alpha!.status, JSON.stringify(alpha!.jobs)).to.equal("succeeded");

    const [beta] = await bosun.api.finishedRuns("?project=beta", 1, 120_000);
    expect(beta!.status).to.equal("failed");
    expect(beta!.jobs[0]!.error?.code).to.equal("IMAGE_PULL_FAILED");
    expect(beta!.jobs[0]!.error?.message).to.include(`registry ${registry.host} wants a login`);

    const [lost] = await bosun.api.finishedRuns("?project=lost", 1, 120_000);
    expect(lost!.status).to.equal("failed");
    expect(JSON.stringify(lost)).to.include("CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND");
    expect(JSON.stringify(lost)).to.include("bosun serviceaccount create missing");
    expect(bosun.stderr).not.to.include(PASSWORD);
  });

  it("refuses to remove an account a project names, and removes one with its logins otherwise", async () => {
    const inUse = await cli(["serviceaccount", "remove", "team-a"]);
    expect(inUse.stderr).to.include("[CREDENTIALS_SERVICE_ACCOUNT_IN_USE]").and.include("alpha");
    const status = await fetch(`${bosun.url}/api/v1/serviceaccounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.BOSUN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "spare" }),
    });
    expect(status.status).to.equal(201);
    const login = await cli([
      "login",
      "git",
      "--service-account",
      "spare",
      "--host",
      "git.example.com",
      "--username",
      "u",
      "--password-file",
      `${bosun.dir}/password`,
    ]);
    expect(login.code, login.stderr).to.equal(0);
    const removed = await cli(["serviceaccount", "remove", "spare"]);
    expect(removed.code, removed.stderr).to.equal(0);
    const left = (await cli(["credentials", "list", "--json"])).stdout;
    expect(left).to.include("team-a").and.not.include("spare");
    const gone = await cli(["serviceaccount", "remove", "spare"]);
    expect(gone.stderr).to.include("[CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND]");
    const anonymous = await fetch(`${bosun.url}/api/v1/serviceaccounts`);
    expect(anonymous.status).to.equal(401);
  });
});
