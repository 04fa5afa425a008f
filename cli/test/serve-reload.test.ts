/**
 * A running `bosun serve` applies a changed bosun.yaml without a restart: projects added, changed and
 * removed answer by the new file from the next request; a broken file is refused and the running
 * config kept; SIGHUP re-reads; a Kubernetes-style symlink swap is seen.
 */
import { linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { sha256 } from "../src/server/config-reload/config-file.js";
import { BosunProcess } from "./support/bosun-process.js";

const SCRIPT = `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n`;
const project = (name: string, token: string) =>
  `  - { name: ${name}, script: ./ok.js, webhookToken: ${token}, subscriptions: [{ registry: dockerhub }] }\n`;
const configOf = (...projects: string[]) => `projects:\n${projects.join("")}`;
const PUSH = JSON.stringify({
  push_data: { tag: "v1", pusher: "me", pushed_at: 1700000000 },
  repository: { repo_name: "team/app", name: "app", namespace: "team" },
});

interface Readyz {
  status: string;
  config?: { sha256: string; loadedAt: string; refused?: { sha256?: string; at: string } };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readyz = async (bosun: BosunProcess) => (await (await fetch(`${bosun.url}/readyz`)).json()) as Readyz;

/** Waits until the process runs the file with this content. */
const loaded = (bosun: BosunProcess, text: string) =>
  until(`the config ${sha256(text).slice(0, 12)} to be applied`, async () => {
    const r = await readyz(bosun);
    return r.config?.sha256 === sha256(text) ? r : undefined;
  });

const push = async (bosun: BosunProcess, name: string, token: string) => {
  const res = await fetch(`${bosun.url}/events/dockerhub/${name}?access_token=${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: PUSH,
  });
  return { status: res.status, body: await res.text() };
};

describe("bosun serve: a changed config file, applied without a restart", function () {
  this.timeout(90_000);
  let bosun: BosunProcess;
  const file = () => join(bosun.dir, "bosun.yaml");
  const write = (text: string) => writeFileSync(file(), text);

  before(async () => {
    bosun = await BosunProcess.start({
      config: configOf(project("alpha", "alpha-token-1")),
      files: { "ok.js": SCRIPT },
      env: { BOSUN_LOG_LEVEL: "info" },
    });
  });
  after(async () => bosun?.dispose());

  it("shows the running file's hash in /readyz, and counts no reload yet", async () => {
    const r = await readyz(bosun);
    expect(r.config?.sha256).to.equal(sha256(configOf(project("alpha", "alpha-token-1"))));
    const metrics = await (await fetch(`${bosun.url}/metrics`)).text();
    expect(metrics).to.contain('bosun_config_reloads_total{result="applied"} 0');
  });

  it("accepts a push to a project added to the file", async () => {
    expect((await push(bosun, "beta", "beta-token-1")).status).to.equal(401);
    const text = configOf(project("alpha", "alpha-token-1"), project("beta", "beta-token-1"));
    write(text);
    await loaded(bosun, text);
    expect((await push(bosun, "beta", "beta-token-1")).status).to.equal(202);
    // The worker claims by the new file too: the push is run as the new project's.
    const [run] = await bosun.api.finishedRuns("?project=beta");
    expect(run?.status).to.equal("succeeded");
    await until("the reload's log line", async () =>
      bosun.stderr.includes("configuration applied: added beta") ? true : undefined,
    );
  });

  it("requires a changed token at once, and never logs it", async () => {
    // An editor's save: a new file renamed over the old one.
    const text = configOf(project("alpha", "alpha-token-2"), project("beta", "beta-token-1"));
    writeFileSync(`${file()}.swp`, text);
    renameSync(`${file()}.swp`, file());
    await loaded(bosun, text);
    expect((await push(bosun, "alpha", "alpha-token-1")).status).to.equal(401);
    expect((await push(bosun, "alpha", "alpha-token-2")).status).to.equal(202);
    expect(bosun.stderr).to.contain("changed alpha (webhookToken)");
    expect(bosun.stderr).not.to.contain("alpha-token-2");
  });

  it("answers a removed project's webhook as it answers an unknown project", async () => {
    const text = configOf(project("alpha", "alpha-token-2"));
    write(text);
    await loaded(bosun, text);
    const removed = await push(bosun, "beta", "beta-token-1");
    const unknown = await push(bosun, "never-configured", "beta-token-1");
    expect(removed.status).to.equal(401);
    expect(removed.body.replaceAll("beta", "")).to.equal(unknown.body.replaceAll("never-configured", ""));
  });

  it("refuses a broken file, logs its errors, keeps serving the running config, then takes a good one", async () => {
    const running = configOf(project("alpha", "alpha-token-2"));
    const broken = running.replace("subscriptions", "concurency: 2, subscriptions");
    write(broken);
    const refused = await until("the broken file to be refused", async () => {
      const r = await readyz(bosun);
      return r.config?.refused?.sha256 === sha256(broken) ? r : undefined;
    });
    expect(refused.config?.sha256).to.equal(sha256(running));
    await until("the refusal in the log", async () =>
      bosun.stderr.includes("configuration refused") ? true : undefined,
    );
    expect(bosun.stderr).to.match(/unknown key \\"concurency\\" at projects\[0\]/);
    expect((await push(bosun, "alpha", "alpha-token-2")).status).to.equal(202);
    const metrics = await (await fetch(`${bosun.url}/metrics`)).text();
    expect(metrics).to.contain('bosun_config_reloads_total{result="refused"} 1');

    const good = configOf(project("alpha", "alpha-token-3"));
    write(good);
    const r = await loaded(bosun, good);
    expect(r.config?.refused).to.equal(undefined);
    expect((await push(bosun, "alpha", "alpha-token-3")).status).to.equal(202);
  });
});

describe("bosun serve: SIGHUP", function () {
  this.timeout(60_000);
  let bosun: BosunProcess | undefined;
  let dir: string;
  let elsewhere: string;
  after(async () => {
    await bosun?.dispose();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("re-reads the file", async () => {
    // Written through a hard link in another folder, the watched folder sees no event: only SIGHUP tells.
    dir = mkdtempSync(join(tmpdir(), "bosun-sighup-"));
    elsewhere = mkdtempSync(join(tmpdir(), "bosun-link-"));
    writeFileSync(join(dir, "ok.js"), SCRIPT);
    writeFileSync(join(dir, "bosun.yaml"), configOf(project("alpha", "alpha-token-1")));
    linkSync(join(dir, "bosun.yaml"), join(elsewhere, "bosun.yaml"));
    bosun = await BosunProcess.start({ config: "", dir, env: { BOSUN_LOG_LEVEL: "info" } });

    const text = configOf(project("alpha", "alpha-token-2"));
    writeFileSync(join(elsewhere, "bosun.yaml"), text);
    expect((await push(bosun, "alpha", "alpha-token-1")).status).to.equal(202);
    bosun.child!.kill("SIGHUP");
    await loaded(bosun, text);
    expect((await push(bosun, "alpha", "alpha-token-2")).status).to.equal(202);
    expect(bosun.stderr, bosun.stderr).to.contain('"reason":"SIGHUP"');
  });
});

describe("bosun serve: a config mounted from a Kubernetes ConfigMap", function () {
  this.timeout(60_000);
  let bosun: BosunProcess | undefined;
  let dir: string;
  after(async () => bosun?.dispose());

  /** As the kubelet writes a volume: a timestamped folder, `..data` pointing at it, the file through it. */
  const publish = (version: string, text: string) => {
    mkdirSync(join(dir, version));
    writeFileSync(join(dir, version, "bosun.yaml"), text);
    symlinkSync(version, join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  };

  it("sees an update made by swapping the ..data symlink", async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-configmap-"));
    writeFileSync(join(dir, "ok.js"), SCRIPT);
    publish("..2026_12_07_01_00_00.1", configOf(project("alpha", "alpha-token-1")));
    symlinkSync("..data/bosun.yaml", join(dir, "bosun.yaml"));
    bosun = await BosunProcess.start({ config: "", dir });

    const text = configOf(project("alpha", "alpha-token-2"));
    publish("..2026_12_07_01_05_00.2", text);
    rmSync(join(dir, "..2026_12_07_01_00_00.1"), { recursive: true });
    await loaded(bosun, text);
    expect((await push(bosun, "alpha", "alpha-token-1")).status).to.equal(401);
    expect((await push(bosun, "alpha", "alpha-token-2")).status).to.equal(202);
  });
});

describe("bosun gateway and bosun worker, apart: a changed config file", function () {
  this.timeout(90_000);
  let gateway: BosunProcess | undefined;
  let worker: BosunProcess | undefined;
  after(async () => {
    await worker?.stop();
    await gateway?.dispose();
  });

  const app = (script: string, token: string) =>
    `projects:\n  - { name: app, script: ./${script}, webhookToken: ${token}, subscriptions: [{ registry: dockerhub }] }\n`;
  const says = (word: string) =>
    `const { events } = require("brigadier");\nevents.on("image_push", () => console.log("${word}"));\n`;

  it("each applies it: the gateway takes the new token, the worker runs the new script", async () => {
    gateway = await BosunProcess.start({
      command: ["gateway", "--registry", "dockerhub"],
      config: app("one.js", "app-token-1"),
      files: { "one.js": says("first script"), "two.js": says("second script") },
    });
    worker = await BosunProcess.start({ command: ["worker"], config: "", dir: gateway.dir });
    const text = app("two.js", "app-token-2");
    writeFileSync(join(gateway.dir, "bosun.yaml"), text);
    await loaded(gateway, text);
    await loaded(worker, text);

    expect((await push(gateway, "app", "app-token-1")).status).to.equal(401);
    expect((await push(gateway, "app", "app-token-2")).status).to.equal(202);
    const [run] = await worker.api.finishedRuns("?project=app");
    expect(run?.status).to.equal("succeeded");
    expect(await worker.api.logs(run!.id)).to.contain("second script");
  });
});

describe("bosun serve: a run going while its project changes", function () {
  this.timeout(60_000);
  let bosun: BosunProcess | undefined;
  after(async () => bosun?.dispose());

  const app = (secret: string) =>
    `projects:\n  - { name: app, script: ./wait.js, executor: host, webhookToken: app-token-1, secrets: { S: ${secret} }, subscriptions: [{ registry: dockerhub }] }\n`;

  it("finishes with the config it started with: its secret is still redacted after the file drops it", async () => {
    const gate = mkdtempSync(join(tmpdir(), "bosun-gate-"));
    // The job waits for a file the test writes once the new config runs, then prints the old secret.
    const script = `const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  const job = new Job("wait", "ignored-on-the-host", [
    'while [ ! -f ${join(gate, "go")} ]; do sleep 0.05; done',
    "echo secret=" + p.secrets.S,
  ]);
  await job.run();
});
`;
    try {
      bosun = await BosunProcess.start({ config: app("first-secret-value"), files: { "wait.js": script } });
      expect((await push(bosun, "app", "app-token-1")).status).to.equal(202);
      const api = bosun.api;
      await until("the job to run", async () => {
        const [run] = await api.runs("?project=app");
        return run && (await api.run(run.id)).jobs[0]?.status === "running" ? true : undefined;
      });
      const text = app("second-secret-value");
      writeFileSync(join(bosun.dir, "bosun.yaml"), text);
      await loaded(bosun, text);
      writeFileSync(join(gate, "go"), "");
      const [run] = await api.finishedRuns("?project=app");
      expect(run?.status).to.equal("succeeded");
      const log = await api.logs(run!.id, "wait");
      expect(log).to.contain("secret=***");
      expect(log).not.to.contain("first-secret-value");
    } finally {
      rmSync(gate, { recursive: true, force: true });
    }
  });
});
