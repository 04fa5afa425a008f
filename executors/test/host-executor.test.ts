/**
 * The host executor: the shared contract, then what only this executor does (job directories,
 * mounts as symlinks, the environment, process groups).
 */
import type { JobSpec } from "@bosun/core";
import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOST_JOB_SUPPORT, HostExecutor } from "../src/host/index.js";
import { executorContract } from "./executor-contract.js";

/** Live processes whose working directory is (or was, before removal) under `root`. */
function processesUnder(root: string): number {
  let n = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
      if (state !== "Z" && readlinkSync(`/proc/${pid}/cwd`).startsWith(root)) n++;
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return n;
}

/** SIGKILL is delivered asynchronously: a killed process may take a moment to disappear. */
async function settledProcessesUnder(root: string): Promise<number> {
  let n = processesUnder(root);
  for (let i = 0; i < 20 && n > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    n = processesUnder(root);
  }
  return n;
}

describe("host executor", function () {
  this.timeout(60_000);
  let workRoot: string;

  before(function () {
    workRoot = mkdtempSync(join(tmpdir(), "bosun-host-test-"));
  });
  after(function () {
    rmSync(workRoot, { recursive: true, force: true });
  });

  executorContract(
    "host",
    async () => ({
      executor: new HostExecutor({ workRoot }),
      image: "ignored/by-the-host:executor",
      cleanup: async () => undefined,
      leftovers: () => settledProcessesUnder(workRoot),
      sharedMount: async () => {
        const dir = mkdtempSync(join(tmpdir(), "bosun-host-mount-"));
        // Relative: mounts appear inside the job directory, which is also where tasks start.
        return { source: dir, target: "shared", cleanup: async () => rmSync(dir, { recursive: true }) };
      },
    }),
    HOST_JOB_SUPPORT,
  );

  describe("host specifics", function () {
    let executor: HostExecutor;
    let n = 0;
    before(function () {
      executor = new HostExecutor({ workRoot });
    });
    const job = (extra: Partial<JobSpec>): JobSpec => {
      const name = `host-${++n}`;
      return { name, image: "any", tasks: [], env: {}, labels: {}, ...extra };
    };
    const run = (spec: JobSpec, ex = executor) => ex.run(spec, { signal: new AbortController().signal });

    it("runs in a fresh directory that is removed afterwards, with the job's env and PATH only", async function () {
      process.env.BOSUN_HOST_TEST_LEAK = "leaked";
      try {
        const result = await run(
          job({ tasks: ['echo "dir=$PWD"', 'echo "leak=[$BOSUN_HOST_TEST_LEAK]"', "echo x > f", "ls"] }),
        );
        expect(result.outcome).to.equal("succeeded");
        expect(result.output).to.include("leak=[]\n");
        expect(result.output).to.include("f\n");
        const dir = /dir=(.*)\n/.exec(result.output)?.[1] ?? "";
        expect(dir.startsWith(join(workRoot, "bosun-job-"))).to.equal(true);
        expect(existsSync(dir)).to.equal(false);
        expect(readdirSync(workRoot)).to.deep.equal([]);
      } finally {
        delete process.env.BOSUN_HOST_TEST_LEAK;
      }
    });

    it("creates its work root when it does not exist yet, for its own user only (0700)", async function () {
      const fresh = join(workRoot, "not", "there", "yet");
      const result = await run(job({ tasks: ["echo ok"] }), new HostExecutor({ workRoot: fresh }));
      expect(result.outcome, result.error?.message).to.equal("succeeded");
      expect(existsSync(fresh)).to.equal(true);
      for (const dir of [fresh, join(workRoot, "not")])
        expect((statSync(dir).mode & 0o777).toString(8), dir).to.equal("700");
      rmSync(join(workRoot, "not"), { recursive: true, force: true });
    });

    it("passes only the worker variables it is told to", async function () {
      process.env.BOSUN_HOST_TEST_PASSED = "passed-on";
      try {
        const passing = new HostExecutor({ workRoot, inheritEnv: ["PATH", "BOSUN_HOST_TEST_PASSED"] });
        const result = await run(job({ tasks: ['echo "p=$BOSUN_HOST_TEST_PASSED"'] }), passing);
        expect(result.output).to.equal("p=passed-on\n");
      } finally {
        delete process.env.BOSUN_HOST_TEST_PASSED;
      }
    });

    it("links mounts into the job directory and leaves their sources when it is removed", async function () {
      const source = mkdtempSync(join(tmpdir(), "bosun-host-src-"));
      try {
        const mounts = [{ source, target: "/workspace/src" }];
        const tasks = ["echo kept > workspace/src/a.txt", 'cat "$BOSUN_JOB_DIR/workspace/src/a.txt"'];
        const result = await run(job({ tasks, mounts }));
        expect(result.outcome).to.equal("succeeded");
        expect(result.output).to.equal("kept\n");
        expect(readFileSync(join(source, "a.txt"), "utf8")).to.equal("kept\n");
      } finally {
        rmSync(source, { recursive: true, force: true });
      }
    });

    it("keeps the working directory inside the job directory", async function () {
      const result = await run(job({ tasks: ['echo "$PWD"'], workingDir: "../../etc" }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output.startsWith(join(workRoot, "bosun-job-"))).to.equal(true);
      expect(result.output.trim().endsWith("/etc")).to.equal(true);
    });

    it("kills what the job left in the background when it ends", async function () {
      const result = await run(job({ tasks: ["(sleep 30; echo late) >/dev/null 2>&1 &", "echo done"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("done\n");
      expect(await settledProcessesUnder(workRoot)).to.equal(0);
    });

    it("runs args as the command when there are no tasks", async function () {
      const result = await run(job({ args: ["echo", "from-args"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("from-args\n");
    });

    it("runs the command with its args when there are no tasks", async function () {
      const result = await run(job({ command: ["echo", "from-command"], args: ["and-args"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("from-command and-args\n");
    });

    it("uses the job's shell, and fails clearly when it does not exist", async function () {
      const ok = await run(job({ tasks: ["echo $0"], shell: "/bin/bash" }));
      expect(ok.output).to.equal("/bin/bash\n");
      const missing = await run(job({ tasks: ["true"], shell: "/nowhere/sh" }));
      expect(missing.outcome).to.equal("failed");
      expect(missing.exitCode).to.equal(undefined);
      expect(missing.error?.code).to.equal("JOB_FAILED");
      expect(missing.error?.message).to.include("/nowhere/sh");
    });

    it("fails clearly when there is nothing to run", async function () {
      const result = await run(job({}));
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("JOB_FAILED");
      expect(result.error?.message).to.include("neither tasks nor args");
    });
  });
});
