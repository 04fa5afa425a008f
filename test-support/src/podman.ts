/**
 * Real containers for tests: a Docker API socket (an existing one from $BOSUN_DOCKER_SOCKET, or a
 * `podman system service` started for the test run), the local test image, and a real registry
 * (Debian's docker-registry) with images pushed into it by skopeo.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const TEST_IMAGE = "localhost/busybox:test";

// ---------------------------------------------------------------------------------------------
// Docker API socket

export interface DockerSocket {
  socketPath: string;
  /** Stops the service when this was the last user of a service started here; otherwise nothing. */
  stop(): Promise<void>;
}

let shared: { socketPath: string; child?: ChildProcess; dir?: string; users: number } | undefined;
let starting: Promise<void> | undefined;

/** True when a Docker-compatible API answers `GET /_ping` on the socket. */
export function pingSocket(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: "/_ping", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** What the engine holds for a run: its containers (running or not), by the executor's `bosun.run` label. */
export function containersOfRun(socketPath: string, runId: string): Promise<unknown[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`bosun.run=${runId}`] }));
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: `/containers/json?all=true&filters=${filters}` }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(JSON.parse(body) as unknown[]));
    });
    req.on("error", reject);
  });
}

/**
 * A Docker API socket for the tests: `$BOSUN_DOCKER_SOCKET` when set and answering, else a Podman
 * service started here. Shared and reference-counted, so suites may each start and stop it (in
 * before/after, or once in mocha root hooks).
 */
export async function startDockerSocket(): Promise<DockerSocket> {
  while (starting) await starting;
  if (!shared) {
    starting = (async () => {
      shared = await launch();
    })();
    try {
      await starting;
    } finally {
      starting = undefined;
    }
  }
  const s = shared;
  if (!s) throw new Error("the Docker API socket could not be started");
  s.users++;
  let stopped = false;
  return {
    socketPath: s.socketPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (--s.users > 0) return;
      if (shared === s) shared = undefined;
      await stopService(s.child, s.dir);
    },
  };
}

async function launch(): Promise<{ socketPath: string; child?: ChildProcess; dir?: string; users: number }> {
  const fromEnv = process.env.BOSUN_DOCKER_SOCKET;
  if (fromEnv && (await pingSocket(fromEnv))) return { socketPath: fromEnv, users: 0 };
  const dir = mkdtempSync(join(tmpdir(), "bosun-podman-"));
  const socketPath = join(dir, "podman.sock");
  let log = "";
  const child = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  // A service left running would outlive the test process (--time=0 never times out).
  const onExit = () => child.kill("SIGTERM");
  process.once("exit", onExit);
  child.once("exit", () => process.removeListener("exit", onExit));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await pingSocket(socketPath)) return { socketPath, child, dir, users: 0 };
    await sleep(100);
  }
  await stopService(child, dir);
  throw new Error(`podman system service did not answer on ${socketPath}:\n${log}`);
}

async function stopService(child: ChildProcess | undefined, dir: string | undefined): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Test image

/** The repository root: the nearest folder above this file holding scripts/build-test-image.sh. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "scripts", "build-test-image.sh"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("scripts/build-test-image.sh not found above " + import.meta.url);
    dir = up;
  }
}

/** Builds localhost/busybox:test when it is missing (the script returns at once otherwise). */
export function ensureTestImage(): void {
  const r = spawnSync("bash", [join(repoRoot(), "scripts", "build-test-image.sh"), TEST_IMAGE], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    throw new Error(`build-test-image.sh failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Registry

export interface RegistryOptions {
  /** Where the registry POSTs its push events (notifications.endpoints). */
  notifyUrl?: string;
  /** Headers sent with every event, e.g. { Authorization: "Bearer ..." }. */
  notifyHeaders?: Record<string, string | string[]>;
  /** Media types not notified, e.g. ["application/octet-stream"] to leave out layer events. */
  notifyIgnoredMediaTypes?: string[];
  /** Further endpoints, each told about every event (one per project, as a registry is configured for several). */
  moreEndpoints?: { url: string; headers?: Record<string, string | string[]> }[];
  /**
   * Demand a login (htpasswd, bcrypt) for every request, pushes and pulls alike; `push` then logs in
   * with the first user. Without it the registry is open to all.
   */
  auth?: { users: RegistryUser[]; realm?: string };
  /**
   * Token auth instead of htpasswd (the docker-registry token spec): the registry challenges with
   * `Bearer realm=...` and trusts JWTs signed by a certificate of `rootCertBundle` (a PEM file).
   * `auth.users` are then only who `push` logs in as, at the token server.
   */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface RegistryUser {
  username: string;
  password: string;
}

export interface PushedImage {
  /** "127.0.0.1:PORT/REPO:TAG" */
  ref: string;
  /** The manifest digest ("sha256:..."), as the registry reports it in events. */
  digest: string;
}

export interface PushOptions {
  /** An image in local containers-storage. Default: the test image. */
  source?: string;
  /** Manifest type written: "oci" (skopeo's default for this source) or Docker's "v2s2". */
  format?: "oci" | "v2s2";
}

export interface TestRegistry {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "127.0.0.1:PORT", the registry part of image references. */
  host: string;
  /** The users of `options.auth`, if any. */
  users: RegistryUser[];
  /** Copies an image from local storage (default: the test image) into REPO:TAG here. */
  push(repo: string, tag: string, options?: PushOptions): Promise<PushedImage>;
  /** Deletes the manifest REPO:TAG names (and so every tag naming it), as `skopeo delete` does. */
  deleteTag(repo: string, tag: string): Promise<void>;
  /** Stops the registry process, keeping its data: nothing answers on its port until `resume`. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data, and waits until it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A port free now, below Linux's ephemeral range (32768 and up): a port the kernel hands out for
 * listen(0) is also one it may give the next outgoing connection, which then holds it when the test's
 * server starts on it (EADDRINUSE). Ports are tried at random, so parallel callers rarely meet.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found between 20000 and 32000");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Starts Debian's docker-registry (CNCF Distribution) on a free local port, plain HTTP. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, "config.yml");
  const htpasswd = options.auth && !options.token ? join(dir, "htpasswd") : undefined;
  if (htpasswd) writeFileSync(htpasswd, await htpasswdFile(options.auth?.users ?? []));
  writeFileSync(config, registryConfig(join(dir, "data"), host, options, htpasswd));
  let log = "";
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-8000);
  };
  const answers = () => registryAnswers(port, options.auth !== undefined || options.token !== undefined);
  let child: ChildProcess;
  const onExit = () => child.kill("SIGTERM");
  /** Starts docker-registry on the config (again, after pause: same port, same data) and waits for it. */
  const serve = async () => {
    const started = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    process.once("exit", onExit);
    started.once("exit", () => process.removeListener("exit", onExit));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (await answers()) return;
      if (started.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`docker-registry did not start on ${host}:\n${log}`);
      }
      await sleep(100);
    }
  };
  const stop = async () => {
    await stopService(child, undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  await serve();

  return {
    url: `http://${host}`,
    host,
    users: options.auth?.users ?? [],
    async deleteTag(repo, tag) {
      const user = options.auth?.users[0];
      const r = await run("skopeo", [
        "delete",
        "--tls-verify=false",
        ...(user ? ["--creds", `${user.username}:${user.password}`] : []),
        `docker://${host}/${repo}:${tag}`,
      ]);
      if (r.code !== 0)
        throw new Error(`skopeo delete ${host}/${repo}:${tag} failed (exit ${r.code}):\n${r.output}`);
    },
    async push(repo, tag, { source = TEST_IMAGE, format }: PushOptions = {}) {
      const pushUser = options.auth?.users[0];
      const ref = `${host}/${repo}:${tag}`;
      const digestFile = join(dir, `digest-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const r = await run("skopeo", [
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        ...(pushUser ? ["--dest-creds", `${pushUser.username}:${pushUser.password}`] : []),
        "--digestfile",
        digestFile,
        ...(format ? ["--format", format] : []),
        `containers-storage:${source}`,
        `docker://${ref}`,
      ]);
      if (r.code !== 0) throw new Error(`skopeo copy to ${ref} failed (exit ${r.code}):\n${r.output}`);
      const digest = readFileSync(digestFile, "utf8").trim();
      rmSync(digestFile, { force: true });
      return { ref, digest };
    },
    pause: () => stopService(child, undefined),
    resume: async () => {
      if (child.exitCode === null && child.signalCode === null) return; // running already
      await serve();
    },
    stop,
  };
}

/** config.yml for Distribution 2.8. Strings are written as JSON, which YAML reads as-is. */
function registryConfig(
  root: string,
  addr: string,
  options: RegistryOptions,
  htpasswd: string | undefined,
): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(root)}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${q(addr)}`,
  ];
  if (options.token) {
    const t = options.token;
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${q(t.realm)}`,
      `    service: ${q(t.service)}`,
      `    issuer: ${q(t.issuer)}`,
      `    rootcertbundle: ${q(t.rootCertBundle)}`,
    );
  } else if (htpasswd) {
    lines.push(
      "auth:",
      "  htpasswd:",
      `    realm: ${q(options.auth?.realm ?? "bosun-test")}`,
      `    path: ${q(htpasswd)}`,
    );
  }
  const endpoints = [
    ...(options.notifyUrl ? [{ url: options.notifyUrl, headers: options.notifyHeaders }] : []),
    ...(options.moreEndpoints ?? []),
  ];
  if (endpoints.length > 0) lines.push("notifications:", "  endpoints:");
  endpoints.forEach((endpoint, i) => {
    lines.push(
      `    - name: ${q(`bosun-${i}`)}`,
      `      url: ${q(endpoint.url)}`,
      "      timeout: 2s",
      "      threshold: 3",
      "      backoff: 1s",
    );
    const headers = Object.entries(endpoint.headers ?? {});
    if (headers.length > 0) {
      lines.push("      headers:");
      for (const [k, v] of headers) {
        lines.push(`        ${q(k)}: [${(Array.isArray(v) ? v : [v]).map(q).join(", ")}]`);
      }
    }
    if (options.notifyIgnoredMediaTypes?.length) {
      lines.push(`      ignoredmediatypes: [${options.notifyIgnoredMediaTypes.map(q).join(", ")}]`);
    }
  });
  return lines.join("\n") + "\n";
}

/** Distribution's htpasswd takes bcrypt only; bcryptjs (pure JS) is loaded only by registries with users. */
async function htpasswdFile(users: RegistryUser[]): Promise<string> {
  const { hashSync } = await import("bcryptjs");
  return users.map((u) => `${u.username}:${hashSync(u.password, 5)}\n`).join("");
}

/** Up and serving: 200 from /v2/, or 401 when it demands a login. */
function registryAnswers(port: number, withAuth = false): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/v2/", timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || (withAuth && res.statusCode === 401));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (err) => resolve({ code: -1, output: output + String(err) }));
    child.on("exit", (code) => resolve({ code: code ?? -1, output }));
  });
}
