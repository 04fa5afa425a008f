/** The pieces of applying a changed bosun.yaml: what changed, bursts of events, refusing a bad file. */
import { mock } from "node:test";
import { expect } from "chai";
import { parseConfig, type ServerConfig } from "@bosun/core";
import { diffConfig, nextProjects, SETTINGS_NEEDING_RESTART } from "../src/server/config-reload/diff.js";
import { debounce } from "../src/server/config-reload/debounce.js";
import { sha256, type ConfigRead } from "../src/server/config-reload/config-file.js";
import { ConfigReloader } from "../src/server/config-reload/reloader.js";
import { createLogger } from "../src/server/logger.js";

const parse = (yaml: string): ServerConfig => {
  const result = parseConfig(yaml, { file: "/etc/bosun/bosun.yaml", env: {} });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.value;
};
const project = (name: string, extra = "", token = `${name}-token-1`) =>
  `  - { name: ${name}, script: ./${name}.js, webhookToken: ${token}, subscriptions: [{ registry: dockerhub }]${extra} }\n`;

describe("config reload: the diff", () => {
  const running = parse(`projects:\n${project("kept")}${project("edited")}${project("gone")}`);

  it("names the projects added, changed (with the keys that changed) and removed", () => {
    const next = parse(
      `projects:\n${project("kept")}${project("edited", ", concurrency: 3", "edited-token-2")}${project("fresh")}`,
    );
    const diff = diffConfig(running, next);
    expect(diff).to.deep.equal({
      added: ["fresh"],
      changed: [{ name: "edited", keys: ["concurrency", "webhookToken"] }],
      removed: ["gone"],
      needsRestart: [],
    });
    expect(JSON.stringify(diff)).not.to.contain("edited-token-2");
  });

  it("reports settings read only at start by their names in bosun.yaml", () => {
    const next = parse(
      `server: { port: 9000, dataDir: /srv/bosun, bodyLimit: 2MiB }\nworker: { maxRuns: 2 }\nprojects:\n${project("kept")}${project("edited")}${project("gone")}`,
    );
    expect(diffConfig(running, next)).to.deep.equal({
      added: [],
      changed: [],
      removed: [],
      needsRestart: ["server.port", "server.dataDir", "server.bodyLimit", "worker"],
    });
    expect(SETTINGS_NEEDING_RESTART).to.include.members(["server.port", "server.dataDir", "credentials"]);
  });

  it("keeps the running object of a project that did not change", () => {
    const map = new Map(running.projects.map((p) => [p.name, p]));
    const next = parse(`projects:\n${project("kept")}${project("edited", ", concurrency: 3")}`);
    const projects = nextProjects(map, next.projects);
    expect(projects.get("kept")).to.equal(map.get("kept"));
    expect(projects.get("edited")).to.not.equal(map.get("edited"));
    expect(projects.get("edited")?.concurrency).to.equal(3);
    expect([...projects.keys()]).to.deep.equal(["kept", "edited"]);
  });
});

describe("config reload: debounce", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
  afterEach(() => mock.timers.reset());

  it("runs once, a quiet time after the last of a burst", () => {
    let runs = 0;
    const changed = debounce(() => runs++, 200);
    for (let i = 0; i < 5; i++) {
      changed();
      mock.timers.tick(50);
    }
    expect(runs).to.equal(0);
    mock.timers.tick(150);
    expect(runs).to.equal(1);
    mock.timers.tick(1_000);
    expect(runs).to.equal(1);
  });

  it("runs at the latest the longest wait after the first of an endless stream", () => {
    let runs = 0;
    const changed = debounce(() => runs++, 200, 1_000);
    for (let i = 0; i < 10; i++) {
      changed();
      mock.timers.tick(100);
    }
    expect(runs).to.equal(1);
  });

  it("runs nothing once cancelled", () => {
    let runs = 0;
    const changed = debounce(() => runs++, 200);
    changed();
    changed.cancel();
    mock.timers.tick(1_000);
    expect(runs).to.equal(0);
  });
});

describe("config reload: the reloader", () => {
  const good = `projects:\n${project("one")}`;
  const started = parse(good);
  process.env.BOSUN_LOG_LEVEL ??= "silent";

  function reloader(reads: ConfigRead[]) {
    const applied: ServerConfig[] = [];
    const counted: string[] = [];
    const r = new ConfigReloader({
      started,
      sha256: sha256(good),
      read: async () => reads.shift()!,
      apply: (next) => applied.push(next),
      logger: createLogger(),
      count: (result) => counted.push(result),
    });
    return { r, applied, counted };
  }
  const readOf = (yaml: string): ConfigRead => ({
    sha256: sha256(yaml),
    result: parseConfig(yaml, { file: "/etc/bosun/bosun.yaml", env: {} }),
  });

  it("does nothing for the same content", async () => {
    const { r, applied, counted } = reloader([readOf(good)]);
    expect(await r.reload("changed")).to.deep.equal({ result: "unchanged" });
    expect(applied).to.have.length(0);
    expect(counted).to.have.length(0);
  });

  it("refuses a file with errors, keeps the running one, and applies a later good file", async () => {
    const broken = `projects:\n  - { name: one, concurency: 2 }\n`;
    const better = `projects:\n${project("one")}${project("two")}`;
    const { r, applied, counted } = reloader([readOf(broken), readOf(broken), readOf(better)]);
    const before = r.status();
    expect(await r.reload("changed")).to.deep.equal({ result: "refused", sha256: sha256(broken) });
    expect(r.status().sha256).to.equal(before.sha256);
    expect(r.status().refused?.sha256).to.equal(sha256(broken));
    // The same broken file again is not refused (nor logged) twice.
    expect((await r.reload("SIGHUP")).result).to.equal("unchanged");
    const outcome = await r.reload("changed");
    expect(outcome.result).to.equal("applied");
    expect(applied.map((c) => c.projects.map((p) => p.name))).to.deep.equal([["one", "two"]]);
    expect(counted).to.deep.equal(["refused", "applied"]);
    expect(r.status()).to.include({ sha256: sha256(better) });
    expect(r.status().refused).to.equal(undefined);
  });

  it("reports a restart-only setting against the config the process started with", async () => {
    const moved = `server: { port: 9000 }\n${good}`;
    const back = `server: { port: 9000 }\nprojects:\n${project("one")}${project("two")}`;
    const { r } = reloader([readOf(moved), readOf(back)]);
    const first = await r.reload("changed");
    const second = await r.reload("changed");
    expect(first.result === "applied" && first.diff.needsRestart).to.deep.equal(["server.port"]);
    expect(second.result === "applied" && second.diff).to.deep.include({
      added: ["two"],
      needsRestart: ["server.port"],
    });
  });
});
