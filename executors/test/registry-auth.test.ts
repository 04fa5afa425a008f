/**
 * Pulls from a private registry with the project's login: a real docker-registry
 * demanding htpasswd logins, an image pushed into it by skopeo, and the docker executor on Podman
 * pulling it with the right login, with none and with a wrong one. The image is removed from the
 * engine before each case, so every case really pulls.
 */
import type { JobSpec, RegistryLogin } from "@bosun/core";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerClient, DockerExecutor } from "../src/docker/index.js";
import { loginFor } from "../src/registry-login.js";
import {
  ensureTestImage,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
  type TestRegistry,
} from "@bosun/test-support";

const USER = "ci-bot";
const PASSWORD = "pull-secret-Zq8rT1";

describe("registry logins (docker executor, private registry)", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let client: DockerClient;
  let registry: TestRegistry;
  let image: string;
  let n = 0;
  const runId = randomBytes(4).toString("hex");

  before(async function () {
    ensureTestImage();
    socket = await startDockerSocket();
    client = new DockerClient({ socketPath: socket.socketPath });
    registry = await startRegistry({ auth: { users: [{ username: USER, password: PASSWORD }] } });
    image = (await registry.push("team/private", "v1")).ref;
  });
  after(async function () {
    if (image) await client?.removeImage(image, true).catch(() => undefined);
    client?.close();
    await registry?.stop();
    await socket?.stop();
  });
  beforeEach(async function () {
    // A present image is not pulled at all: each case starts without it.
    await client.removeImage(image, true);
    expect(await client.inspectImage(image)).to.equal(undefined);
  });

  const job = (extra: Partial<JobSpec> = {}): JobSpec => {
    const name = `regauth-${runId}-${++n}`;
    return {
      name,
      image,
      tasks: ["echo pulled with a login"],
      env: {},
      labels: { "bosun.test/job": name, "bosun.project": "shop" },
      ...extra,
    };
  };

  async function run(spec: JobSpec, options: Partial<ConstructorParameters<typeof DockerExecutor>[0]> = {}) {
    const executor = new DockerExecutor({
      socketPath: socket.socketPath,
      insecureRegistries: [registry.host],
      ...options,
    });
    let streamed = "";
    try {
      const result = await executor.run(spec, {
        signal: new AbortController().signal,
        onOutput: (text) => (streamed += text),
      });
      return { result, streamed };
    } finally {
      await executor.close();
    }
  }

  it("pulls with the project's login for the image's registry and runs the job", async function () {
    const logins: RegistryLogin[] = [
      { registry: "docker.io", username: "someone-else", password: "not-this-one" },
      { registry: registry.host, username: USER, password: PASSWORD },
    ];
    const { result } = await run(job({ registryCredentials: logins, secretValues: [PASSWORD] }));
    expect(result.error).to.equal(undefined);
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("pulled with a login\n");
    expect(await client.inspectImage(image)).to.not.equal(undefined);
  });

  it("falls back to the executor's own registryAuth when the project has no login there", async function () {
    const { result } = await run(job(), {
      registryAuth: (host) => (host === registry.host ? { username: USER, password: PASSWORD } : undefined),
    });
    expect(result.error).to.equal(undefined);
    expect(result.outcome).to.equal("succeeded");
  });

  it("fails clearly, naming the registry and `bosun login`, when the project has no login", async function () {
    const other: RegistryLogin = { registry: "ghcr.io", username: USER, password: PASSWORD };
    const { result, streamed } = await run(job({ registryCredentials: [other] }));
    expect(result.outcome).to.equal("failed");
    expect(result.exitCode).to.equal(undefined);
    expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    const message = result.error?.message ?? "";
    expect(message).to.include(`registry ${registry.host} wants a login, and project "shop" has none`);
    expect(message).to.include(`bosun login docker --project shop --registry ${registry.host}`);
    for (const text of [message, result.output, streamed]) expect(text).to.not.include(PASSWORD);
  });

  it("fails clearly, without the password, when the login is refused", async function () {
    const wrong = "wrong-Password-77";
    const { result, streamed } = await run(
      job({
        registryCredentials: [{ registry: registry.host, username: USER, password: wrong }],
        secretValues: [wrong],
      }),
    );
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    const message = result.error?.message ?? "";
    expect(message).to.include(`registry ${registry.host} refused the login of user "${USER}"`);
    expect(message).to.include(`bosun login docker --project shop --registry ${registry.host}`);
    for (const text of [message, result.output, streamed]) {
      expect(text).to.not.include(wrong);
      expect(text).to.not.include(PASSWORD);
    }
    expect(await client.inspectImage(image)).to.equal(undefined);
  });
});

describe("registry logins (X-Registry-Auth and lookup)", function () {
  let dir: string;
  let server: http.Server;
  let seen: { path: string; auth?: string }[];

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), "bosun-regauth-"));
    seen = [];
    // A pretend engine: no image, and a pull that succeeds at once.
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? "", auth: req.headers["x-registry-auth"] as string | undefined });
      if (req.url?.includes("/images/") && req.url.endsWith("/json")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"message":"no such image"}');
      } else if (req.url?.includes("/images/create")) {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"Downloaded"}\n');
      } else if (req.url?.endsWith("/version")) {
        res.writeHead(200, { "content-type": "application/json" }).end('{"Version":"24.0.0"}');
      } else {
        // Anything after the pull: refuse, the test only looks at the pull.
        res.writeHead(500, { "content-type": "application/json" }).end('{"message":"not here"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(join(dir, "engine.sock"), resolve));
  });
  afterEach(async function () {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the login for the image's registry as X-Registry-Auth (Docker Hub under any of its names)", async function () {
    const executor = new DockerExecutor({ socketPath: join(dir, "engine.sock") });
    try {
      await executor.run(
        {
          name: "hub",
          image: "index.docker.io/team/app:v1",
          tasks: ["true"],
          env: {},
          labels: {},
          registryCredentials: [
            { registry: "registry.example.com", username: "other", password: "x" },
            { registry: "registry-1.docker.io", username: "hubuser", password: "hub-pass" },
          ],
        },
        { signal: new AbortController().signal },
      );
    } finally {
      await executor.close();
    }
    const pull = seen.find((s) => s.path.includes("/images/create"));
    expect(pull?.auth, JSON.stringify(seen)).to.be.a("string");
    const decoded = JSON.parse(Buffer.from(pull?.auth ?? "", "base64url").toString("utf8")) as unknown;
    expect(decoded).to.deep.equal({
      username: "hubuser",
      password: "hub-pass",
      serveraddress: "index.docker.io",
    });
  });

  it("matches logins to registries as `docker login` does", function () {
    const logins: RegistryLogin[] = [
      { registry: "docker.io", username: "hub", password: "1" },
      { registry: "Registry.Example.com:5000", username: "ex", password: "2" },
    ];
    expect(loginFor(logins, "docker.io")?.username).to.equal("hub");
    expect(loginFor(logins, "registry-1.docker.io")?.username).to.equal("hub");
    expect(loginFor(logins, "index.docker.io")?.username).to.equal("hub");
    expect(loginFor(logins, "registry.example.com:5000")?.username).to.equal("ex");
    expect(loginFor(logins, "registry.example.com")).to.equal(undefined);
    expect(loginFor(undefined, "docker.io")).to.equal(undefined);
  });
});
