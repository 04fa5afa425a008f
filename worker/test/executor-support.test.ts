/**
 * The job contract without an engine: each executor declares every JobSpec field, docs/executors.md
 * shows exactly those declarations, and a script's job reaches the executor as a JobSpec with
 * declared fields only (the sandbox converts it field by field; nothing rides along in a spread).
 */
import {
  JOB_SPEC_FIELDS,
  openSqliteStore,
  type Executor,
  type JobSpec,
  type JobSpecSupport,
  type Store,
} from "@bosun/core";
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DOCKER_JOB_SUPPORT } from "../src/executors/docker/index.js";
import { HOST_JOB_SUPPORT } from "../src/executors/host/index.js";
import { KUBERNETES_JOB_SUPPORT } from "../src/executors/kubernetes/index.js";
import { ScriptHandler } from "../src/handlers/script.js";
import { runPush, testProject } from "./support/runs.js";

const TABLES: Record<string, JobSpecSupport> = {
  docker: DOCKER_JOB_SUPPORT,
  kubernetes: KUBERNETES_JOB_SUPPORT,
  host: HOST_JOB_SUPPORT,
};

const DOC = fileURLToPath(new URL("../../../docs/executors.md", import.meta.url));

/** The rows of the field table in docs/executors.md: field → cells under each executor's column. */
function documented(): Map<string, Record<string, string>> {
  const lines = readFileSync(DOC, "utf8").split("\n");
  const header = lines.findIndex((l) => l.startsWith("| `JobSpec` field |"));
  expect(header, "docs/executors.md has the field table").to.be.at.least(0);
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(" | ")
      .map((c) => c.trim());
  const columns = cells(lines[header]!).slice(1);
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [field = "", ...values] = cells(line);
    rows.set(field.replaceAll("`", ""), Object.fromEntries(columns.map((c, i) => [c, values[i] ?? ""])));
  }
  return rows;
}

describe("the job contract", function () {
  for (const [kind, table] of Object.entries(TABLES)) {
    it(`the ${kind} executor declares every JobSpec field, each honoured or with a reason`, function () {
      expect(Object.keys(table).sort()).to.deep.equal([...JOB_SPEC_FIELDS].sort());
      for (const field of JOB_SPEC_FIELDS) {
        const declared = table[field];
        if (declared !== "honoured") expect(declared.limitation, field).to.match(/^(ignored|not \w+): \S/);
      }
    });
  }

  it("docs/executors.md shows every executor's declarations, field by field", function () {
    const rows = documented();
    expect([...rows.keys()]).to.deep.equal([...JOB_SPEC_FIELDS]);
    for (const [kind, table] of Object.entries(TABLES)) {
      for (const field of JOB_SPEC_FIELDS) {
        const declared = table[field];
        const expected = declared === "honoured" ? "✓" : declared.limitation;
        expect(rows.get(field)?.[kind], `${kind}: ${field}`).to.equal(expected);
      }
    }
  });

  describe("a script's job, on its way to the executor", function () {
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
  });
});
