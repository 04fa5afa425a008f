// Shared bench helpers: start the real `bosun` command on a temp config, a bare node:http baseline,
// percentiles. Benchmarks print ratios against a baseline measured in the same run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("..", import.meta.url).pathname;
export const BIN = join(ROOT, "cli", "bin", "bosun.js");
export const TOKEN = "bench-token-123";

export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Starts `bosun <command>` with a config and files in a temp dir; resolves when it listens. `env`
 * adds to the bench's environment (BOSUN_STORE_URL chooses PostgreSQL); `prepare(dir)` runs first
 * (to fill the store in dir/data, say).
 */
export async function startBosun(
  command,
  config,
  files = {},
  extraArgs = [],
  env = {},
  prepare = async () => {},
) {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, "bosun.yaml"), config);
  await prepare(dir);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--no-node-snapshot",
      BIN,
      command,
      "--config",
      join(dir, "bosun.yaml"),
      "--data",
      join(dir, "data"),
      "--port",
      String(port),
      ...extraArgs,
    ],
    { env: { ...process.env, BOSUN_LOG_LEVEL: "error", ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  await new Promise((resolve, reject) => {
    child.stderr.on("data", (c) => {
      stderr += c;
      if (stderr.includes("bosun listening on")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`bosun ${command} exited ${code}: ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const adminToken = () => readFileSync(join(dir, "data", "admin-token"), "utf8").trim();
  return {
    url,
    dir,
    pid: child.pid,
    adminToken,
    async api(path) {
      const res = await fetch(`${url}/api/v1${path}`, {
        headers: { authorization: `Bearer ${adminToken()}` },
      });
      return res.json();
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bare node:http server in its own process that reads the body and answers 200. */
export async function startBareServer() {
  const port = await freePort();
  const code = `require("node:http").createServer((q, s) => { q.on("data", () => {}); q.on("end", () => { s.writeHead(200, {"content-type": "application/json"}); s.end('{"ok":true}'); }); }).listen(${port}, "127.0.0.1", () => console.log("up"));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((r) => child.stdout.once("data", r));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill();
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** CPU time (user + system, all threads) a process has used so far, in microseconds (Linux /proc). */
export function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function dockerHubPush(tag) {
  return JSON.stringify({
    callback_url: "https://registry.hub.docker.com/u/team/app/hook/x/",
    push_data: { pushed_at: Math.floor(Date.now() / 1000), pusher: "bench", tag },
    repository: { repo_name: "team/app", name: "app", namespace: "team", status: "Active" },
  });
}

/** A push of team/app:<tag> as `gateway` sends it, for autocannon: the request to the project "hub". */
export function webhookRequest(gateway, tag, token = TOKEN) {
  const made = gateway.synthesize({ repository: "team/app", tag }, token);
  const query = made.query.toString();
  return {
    method: "POST",
    path: `/events/${gateway.kind}/hub${query ? `?${query}` : ""}`,
    headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
    body: made.body,
  };
}
