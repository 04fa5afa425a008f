/**
 * A script's job on its way to the executor: the sandbox converts the request field by field into
 * core's JobSpec, the script handler adds storage and cache as mounts, the launcher its labels and
 * secrets. The executor gets declared JobSpec fields only: nothing rides along in a spread.
 */
import { JOB_SPEC_FIELDS, type Executor, type JobSpec } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScriptHandler } from "../src/handlers/script.js";
import { runPush, testProject } from "./support/runs.js";

describe("script jobs as JobSpecs", function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store;
  let handler: ScriptHandler;
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "bosun-job-contract-"));
    store = await openSqliteStore({ dataDir: join(dir, "data") });
    handler = new ScriptHandler({ memoryMb: 64, workDir: join(dir, "data") });
  });
  after(async function () {
    await handler?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("carries declared JobSpec fields only, Brigade's settings converted to them", async function () {
    writeFileSync(
      join(dir, "brigade.js"),
      `const { events, Job } = require("brigadier");
events.on("image_push", async () => {
const job = new Job("all", "alpine:3.20", ["echo hi"], true);
Object.assign(job, {
  args: ["a"], env: { A: "1" }, timeout: 5000, privileged: true, streamLogs: true,
  imagePullSecrets: ["regcred"], serviceAccount: "builder", annotations: { team: "platform" },
  resourceRequests: { cpu: "100m" }, resourceLimits: { memory: "64Mi" },
});
job.host.os = "linux";
job.storage.enabled = true;
job.cache.enabled = true;
job.docker.enabled = true;
await job.run();
});
`,
    );
    const received: JobSpec[] = [];
    const executor: Executor = {
      kind: "docker",
      run: async (spec) => {
        received.push(spec);
        const at = new Date().toISOString();
        return { outcome: "succeeded", exitCode: 0, output: "", startedAt: at, finishedAt: at };
      },
    };
    const project = testProject({
      name: "shop",
      allowPrivileged: true,
      secrets: { TOKEN: "t0ken" },
      script: { path: join(dir, "brigade.js") },
    });
    const { run, log } = await runPush(store, project, {
      handlerFor: () => handler,
      executorFor: () => executor,
    });
    expect(run.status, log).to.equal("succeeded");
    const [spec] = received;
    expect(spec, log).to.not.equal(undefined);
    const declared = new Set<string>(JOB_SPEC_FIELDS);
    expect(Object.keys(spec!).filter((k) => !declared.has(k))).to.deep.equal([]);
    expect(spec).to.deep.include({
      name: "all",
      image: "alpine:3.20",
      tasks: ["echo hi"],
      args: ["a"],
      env: { A: "1" },
      timeoutMs: 5000,
      privileged: true,
      dockerSocket: true,
      imageForcePull: true,
      imagePullSecrets: ["regcred"],
      serviceAccount: "builder",
      annotations: { team: "platform" },
      resourceRequests: { cpu: "100m" },
      resourceLimits: { memory: "64Mi" },
      storage: { enabled: true, path: "/mnt/brigade/share" },
      cache: { enabled: true, path: "/mnt/brigade/cache", size: "5Mi" },
    });
    expect(spec!.host?.os).to.equal("linux");
    expect(spec!.secretValues).to.include("t0ken");
    expect(spec!.labels).to.include({ "bosun.project": "shop", "bosun.run": run.id });
    // The local executors get storage and cache as host folders.
    expect(spec!.mounts?.map((m) => m.target)).to.deep.equal(["/mnt/brigade/share", "/mnt/brigade/cache"]);
    expect(spec!.mounts?.[0]?.source).to.equal(join(dir, "data", "runs", run.id, "storage"));
    expect(spec!.mounts?.[1]?.source).to.equal(join(dir, "data", "cache", "shop", "all"));
  });

  it("carries a Brigade v2 job: its primary container, sidecars, timeoutSeconds and workspace", async function () {
    writeFileSync(
      join(dir, "brigade-v2.js"),
      `const { events, Job, Container } = require("brigadier");
events.on("image_push", async (event) => {
const job = new Job("v2", "alpine:3.20", event);
job.primaryContainer.command = ["/bin/sh", "-c"];
job.primaryContainer.arguments = ["wget -q -O - http://127.0.0.1:8080/"];
job.primaryContainer.environment = { MODE: "v2" };
job.primaryContainer.workingDirectory = "/work";
job.primaryContainer.workspaceMountPath = "/workspace";
job.primaryContainer.imagePullPolicy = "Always";
job.timeoutSeconds = 30;
const web = new Container("nginx:1");
web.environment = { TOKEN: { secretKeyRef: { key: "TOKEN" } } };
web.arguments = ["-g", "daemon off;"];
job.sidecarContainers = { web };
await job.run();
});
`,
    );
    const received: JobSpec[] = [];
    const executor: Executor = {
      kind: "docker",
      run: async (spec) => {
        received.push(spec);
        const at = new Date().toISOString();
        return { outcome: "succeeded", exitCode: 0, output: "", startedAt: at, finishedAt: at };
      },
    };
    const project = testProject({
      name: "shop",
      secrets: { TOKEN: "t0ken" },
      script: { path: join(dir, "brigade-v2.js") },
    });
    const { run, log } = await runPush(store, project, {
      handlerFor: () => handler,
      executorFor: () => executor,
    });
    expect(run.status, log).to.equal("succeeded");
    const [spec] = received;
    expect(spec, log).to.deep.include({
      name: "v2",
      image: "alpine:3.20",
      tasks: [],
      command: ["/bin/sh", "-c"],
      args: ["wget -q -O - http://127.0.0.1:8080/"],
      env: { MODE: "v2" },
      workingDir: "/work",
      imageForcePull: true,
      timeoutMs: 30_000,
      storage: { enabled: true, path: "/workspace" },
      sidecars: [
        {
          name: "web",
          image: "nginx:1",
          command: [],
          args: ["-g", "daemon off;"],
          env: { TOKEN: "t0ken" },
          privileged: false,
          imageForcePull: false,
        },
      ],
    });
    expect(spec!.secretValues).to.include("t0ken");
    expect(spec!.mounts?.map((m) => m.target)).to.deep.equal(["/workspace"]);
  });
});
