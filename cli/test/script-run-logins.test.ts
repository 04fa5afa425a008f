/**
 * `bosun script run` pulls with the logins of the machine's own tools (`podman login`, `docker login`):
 * the reader of their auth files, and a real run against a docker-registry that demands a login.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { JobRecord, Run } from "@bosun/core";
import {
  ensureTestImage,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";
import { authFiles, localRegistryLogins } from "../src/commands/local-logins.js";
import { REPO_ROOT, realFixture } from "./support/fixtures.js";

const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");
const USER = "dev-user";
const PASSWORD = "local-pull-Hx71q";
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");

describe("script run: the machine's registry logins", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "bosun-logins-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };

  it("reads Podman's and Docker's auth files, first file first, Docker Hub under any of its names", () => {
    const podman = write("auth.json", {
      auths: {
        "registry.example.com": { auth: basic("podman-user", "p1") },
        "https://index.docker.io/v1/": { auth: basic("hub-user", "p:with:colons") },
      },
    });
    const docker = write("config.json", {
      auths: {
        "registry.example.com": { auth: basic("docker-user", "d1") },
        "http://127.0.0.1:5000": { auth: basic("local", "d2") },
        "ghcr.io": {},
      },
      credsStore: "desktop",
    });
    const logins = localRegistryLogins([podman, docker, join(dir, "missing.json")]);
    expect(logins("registry.example.com")).to.deep.equal({ username: "podman-user", password: "p1" });
    expect(logins("docker.io")).to.deep.equal({ username: "hub-user", password: "p:with:colons" });
    expect(logins("127.0.0.1:5000")).to.deep.equal({ username: "local", password: "d2" });
    // Kept by a credential helper: not in the file, not used.
    expect(logins("ghcr.io")).to.equal(undefined);
    expect(logins.unreadable).to.deep.equal([]);
  });

  it("names a broken auth file and carries on without it", () => {
    const broken = write("auth.json", "{ not json");
    const odd = write("config.json", { auths: ["registry.example.com"] });
    const logins = localRegistryLogins([broken, odd]);
    expect(logins("registry.example.com")).to.equal(undefined);
    expect(logins.unreadable).to.have.length(2);
    expect(logins.unreadable[0]).to.match(/auth\.json: not JSON/);
    expect(logins.unreadable[1]).to.contain('"auths" is not an object');
  });

  it("looks where Podman and Docker keep them", () => {
    const env = { REGISTRY_AUTH_FILE: "/a/auth.json", XDG_RUNTIME_DIR: "/run/user/7", DOCKER_CONFIG: "/d" };
    expect(authFiles(env, "/home/u")).to.deep.equal([
      "/a/auth.json",
      "/run/user/7/containers/auth.json",
      "/home/u/.config/containers/auth.json",
      "/d/config.json",
    ]);
    expect(authFiles({}, "/home/u")).to.deep.equal([
      "/home/u/.config/containers/auth.json",
      "/home/u/.docker/config.json",
    ]);
  });

  describe("against a registry that demands a login", () => {
    let socket: DockerSocket;
    let registry: TestRegistry;
    let image: string;

    before(async function () {
      ensureTestImage();
      socket = await startDockerSocket();
      registry = await startRegistry({ auth: { users: [{ username: USER, password: PASSWORD }] } });
      image = (await registry.push("team/local-run", "v1")).ref;
    });
    after(async function () {
      await registry?.stop();
      await socket?.stop();
    });

    async function scriptRun(
      dockerConfig: unknown,
    ): Promise<{ code: number; result: Run & { jobs: JobRecord[] } }> {
      const home = mkdtempSync(join(tmpdir(), "bosun-home-"));
      mkdirSync(join(home, ".docker"));
      writeFileSync(join(home, ".docker", "config.json"), JSON.stringify(dockerConfig));
      const script = write(
        "brigade.js",
        `const { events, Job } = require("brigadier");
events.on("image_push", async () => {
  await new Job("private", ${JSON.stringify(image)}, ["echo pulled"]).run();
});
`,
      );
      const config = write(
        "bosun.yaml",
        `docker: { socket: ${socket.socketPath}, insecureRegistries: ["${registry.host}"] }\n`,
      );
      const payload = join(realFixture("registries/dockerhub"), "docs_current_push.json");
      const env: Record<string, string | undefined> = { ...process.env, HOME: home };
      for (const k of ["REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "DOCKER_CONFIG"]) delete env[k];
      try {
        const r = await promisify(execFile)(
          process.execPath,
          [
            "--no-node-snapshot",
            BIN,
            "script",
            "run",
            script,
            "--payload",
            payload,
            "--config",
            config,
            "--json",
          ],
          { env, timeout: 90_000 },
        ).then(
          (out) => ({ ...out, code: 0 }),
          (err: { stdout: string; stderr: string; code: number }) => err,
        );
        const [result] = JSON.parse(r.stdout) as (Run & { jobs: JobRecord[] })[];
        expect(r.stdout + r.stderr).not.to.contain(PASSWORD);
        return { code: r.code, result: result! };
      } finally {
        rmSync(home, { recursive: true, force: true });
        await promisify(execFile)("podman", ["rmi", "-f", image]).catch(() => undefined);
      }
    }

    it("pulls the job's image with the login from ~/.docker/config.json", async () => {
      const { code, result } = await scriptRun({
        auths: { [registry.host]: { auth: basic(USER, PASSWORD) } },
      });
      expect(result.status, JSON.stringify(result.error)).to.equal("succeeded");
      expect(result.jobs.map((j) => j.status)).to.deep.equal(["succeeded"]);
      expect(code).to.equal(0);
    });

    it("without a login, the job fails saying the registry wants one", async () => {
      const { code, result } = await scriptRun({ auths: {} });
      expect(code).to.equal(1);
      expect(result.status).to.equal("failed");
      expect(result.jobs[0]!.status).to.equal("failed");
      expect(result.jobs[0]!.error?.code).to.equal("IMAGE_PULL_FAILED");
      expect(result.jobs[0]!.error?.message).to.contain(`registry ${registry.host} wants a login`);
      expect(result.jobs[0]!.error?.message).to.contain(`podman login ${registry.host}`);
      expect(result.jobs[0]!.error?.message).not.to.contain("bosun login");
    });
  });
});
