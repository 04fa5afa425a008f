/**
 * The contract every executor passes: what a job sees (env, secrets, mounts, working
 * directory) and what the caller gets back (outcome, exit code, streamed and stored output). Generic:
 * executor-specific checks, such as what is left behind after a killed job, come in through hooks.
 * Then every JobSpec field, as the executor's support table declares it (executor-contract-fields.ts):
 * an honoured field is observed where a shared case can see it, a limitation is run and accepted.
 * No timings are asserted; stops are triggered by the job's own output where possible.
 */
import {
  JOB_SPEC_FIELDS,
  type Executor,
  type JobResult,
  type JobRunContext,
  type JobSpec,
  type JobSpecSupport,
} from "@bosun/core";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIELD_CASES } from "./executor-contract-fields.js";

export interface SharedMount {
  /** JobMount.source: a host directory (docker, host) or a volume name (kubernetes). */
  source: string;
  /** JobMount.target, the path tasks use and the workingDir of the reading job. Default "/shared". */
  target?: string;
  cleanup(): Promise<void>;
}

export interface ContractTarget {
  executor: Executor;
  /** An image with a POSIX shell and busybox-like tools (echo, cat, yes, head, sleep, printf). */
  image: string;
  cleanup(): Promise<void>;
  /** How many containers, pods or processes with all these labels still exist. */
  leftovers?(labels: Record<string, string>): Promise<number>;
  /** Something two jobs can mount in turn. Default: a fresh temporary directory. */
  sharedMount?(): Promise<SharedMount>;
}

/**
 * What an executor cannot do, declared with a one-line reason. A declared case still runs, checking
 * the weaker promise that holds instead (named in its title); an undeclared one is the full contract.
 */
export interface Limitations {
  /** stdout and stderr reach the caller as one stream: both complete, each in its own order. */
  separateStderr?: string;
}

interface Collected {
  result: JobResult;
  chunks: { text: string; stream: "stdout" | "stderr" }[];
  streamed: string;
}

export function executorContract(
  name: string,
  setup: () => Promise<ContractTarget>,
  support: JobSpecSupport,
  limitations: Limitations = {},
): void {
  describe(`executor contract: ${name}`, function () {
    this.timeout(120_000);
    let target: ContractTarget;
    const suiteId = randomBytes(4).toString("hex");
    let counter = 0;

    before(async function () {
      target = await setup();
    });
    after(async function () {
      await target?.cleanup();
    });

    /** A job with a unique name and labels that identify it (and only it). */
    function job(tasks: string[], extra: Partial<JobSpec> = {}): JobSpec {
      const jobName = `contract-${suiteId}-${++counter}`;
      return {
        name: jobName,
        image: target.image,
        tasks,
        env: {},
        labels: { "bosun.test/suite": suiteId, "bosun.test/job": jobName },
        ...extra,
      };
    }

    async function run(spec: JobSpec, signal = new AbortController().signal): Promise<Collected> {
      const chunks: Collected["chunks"] = [];
      const result = await target.executor.run(spec, {
        signal,
        onOutput: (text, stream) => chunks.push({ text, stream }),
      });
      return { result, chunks, streamed: chunks.map((c) => c.text).join("") };
    }

    async function expectNothingLeft(spec: JobSpec): Promise<void> {
      if (target.leftovers) expect(await target.leftovers(spec.labels)).to.equal(0);
    }

    it("runs the tasks in order and reports their output", async function () {
      const spec = job(["echo hello", "echo world"]);
      const { result, streamed } = await run(spec);
      expect(result.outcome).to.equal("succeeded");
      expect(result.exitCode).to.equal(0);
      expect(result.error).to.equal(undefined);
      expect(result.output).to.include("hello\nworld\n");
      expect(streamed).to.include("hello\nworld\n");
      expect(Number.isNaN(Date.parse(result.startedAt))).to.equal(false);
      expect(Date.parse(result.finishedAt)).to.be.at.least(Date.parse(result.startedAt));
      await expectNothingLeft(spec);
    });

    if (limitations.separateStderr) {
      it(`keeps stderr with stdout, both complete (declared: ${limitations.separateStderr})`, async function () {
        const { result, streamed } = await run(job(["echo to-out", "echo to-err >&2", "echo out-again"]));
        expect(result.outcome).to.equal("succeeded");
        // Two pipes read apart: each stream keeps its own order, not its place among the other's.
        for (const text of [result.output, streamed]) {
          expect(text).to.include("to-err\n");
          expect(text.replace("to-err\n", "")).to.include("to-out\nout-again\n");
        }
      });
    } else {
      it("streams stderr apart from stdout", async function () {
        const { result, chunks } = await run(job(["echo to-out", "echo to-err >&2"]));
        expect(result.outcome).to.equal("succeeded");
        const err = chunks
          .filter((c) => c.stream === "stderr")
          .map((c) => c.text)
          .join("");
        const out = chunks
          .filter((c) => c.stream === "stdout")
          .map((c) => c.text)
          .join("");
        expect(err).to.include("to-err");
        expect(out).to.include("to-out");
        expect(out).to.not.include("to-err");
        expect(result.output).to.include("to-err");
      });
    }

    it("fails with the exit code of the failing task", async function () {
      const spec = job(["echo before", "exit 3"]);
      const { result } = await run(spec);
      expect(result.outcome).to.equal("failed");
      expect(result.exitCode).to.equal(3);
      expect(result.output).to.include("before");
      await expectNothingLeft(spec);
    });

    it("stops at the first failing task", async function () {
      const { result } = await run(job(["echo one", "false", "echo never-printed"]));
      expect(result.outcome).to.equal("failed");
      expect(result.exitCode).to.equal(1);
      expect(result.output).to.include("one");
      expect(result.output).to.not.include("never-printed");
    });

    it("kills a job that exceeds its timeout and leaves nothing behind", async function () {
      const spec = job(["echo started", "sleep 60", "echo never-printed"], { timeoutMs: 1_500 });
      const { result } = await run(spec);
      expect(result.outcome).to.equal("timed_out");
      expect(result.exitCode).to.equal(undefined);
      expect(result.output).to.not.include("never-printed");
      await expectNothingLeft(spec);
    });

    it("cancels a running job when the signal aborts, and leaves nothing behind", async function () {
      const spec = job(["echo started", "sleep 60", "echo never-printed"]);
      const controller = new AbortController();
      const result = await target.executor.run(spec, {
        signal: controller.signal,
        // Abort once the job is demonstrably running.
        onOutput: (text) => {
          if (text.includes("started")) controller.abort();
        },
      });
      expect(result.outcome).to.equal("cancelled");
      expect(result.exitCode).to.equal(undefined);
      expect(result.output).to.not.include("never-printed");
      await expectNothingLeft(spec);
    });

    it("does not start a job whose signal is already aborted", async function () {
      const controller = new AbortController();
      controller.abort();
      const spec = job(["echo never-printed"]);
      const { result, streamed } = await run(spec, controller.signal);
      expect(result.outcome).to.equal("cancelled");
      expect(streamed).to.not.include("never-printed");
      await expectNothingLeft(spec);
    });

    it("passes the environment to the job", async function () {
      const env = { GREETING: "hello there", QUOTED: `it's "quoted" $HOME`, EMPTY: "" };
      const { result } = await run(
        job(['echo "g=$GREETING"', 'echo "q=$QUOTED"', 'echo "e=[$EMPTY]"'], { env }),
      );
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.include("g=hello there\n");
      expect(result.output).to.include(`q=it's "quoted" $HOME\n`);
      expect(result.output).to.include("e=[]\n");
    });

    it("gives secrets to the job but redacts them from stored and streamed output", async function () {
      const secret = "s3cret-value-9f2";
      const spec = job(
        [
          `test "$TOKEN" = ${secret} && echo match`,
          'echo "token is $TOKEN"',
          'echo "$TOKEN" >&2',
          // The secret split across two writes, so it reaches the executor in two pieces.
          'printf "split:%s" "$(echo "$TOKEN" | cut -c1-6)"',
          "sleep 0.3",
          'printf "%s\\n" "$(echo "$TOKEN" | cut -c7-)"',
        ],
        { env: { TOKEN: secret }, secretValues: [secret] },
      );
      const { result, chunks, streamed } = await run(spec);
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.include("match");
      expect(result.output).to.include("token is ***");
      expect(result.output).to.include("split:***");
      expect(result.output).to.not.include(secret);
      expect(streamed).to.not.include(secret);
      for (const c of chunks) expect(c.text).to.not.include(secret);
      // No piece of the secret long enough to matter is left either.
      expect(result.output).to.not.include(secret.slice(0, 6));
      expect(result.output).to.not.include(secret.slice(6));
    });

    it("shares a mount between jobs, one writing and the next reading", async function () {
      const mount = target.sharedMount ? await target.sharedMount() : await tempDirMount();
      try {
        const at = mount.target ?? "/shared";
        const mounts = [{ source: mount.source, target: at }];
        const word = `note-${randomBytes(3).toString("hex")}`;
        const first = await run(job([`echo ${word} > ${at}/note.txt`], { mounts }));
        expect(first.result.outcome).to.equal("succeeded");
        const second = await run(job(["pwd", "cat note.txt"], { mounts, workingDir: at }));
        expect(second.result.outcome).to.equal("succeeded");
        expect(second.result.output).to.include(`${at}\n`);
        expect(second.result.output).to.include(`${word}\n`);
      } finally {
        await mount.cleanup();
      }
    });

    it("streams large output completely", async function () {
      const size = 5_000_000;
      const { result, chunks } = await run(job([`yes | head -c ${size}`, "echo done-after-yes"]));
      expect(result.outcome).to.equal("succeeded");
      const total = chunks.reduce((n, c) => n + c.text.length, 0);
      expect(total).to.equal(size + "done-after-yes\n".length);
      expect(result.output.endsWith("y\ny\ndone-after-yes\n")).to.equal(true);
    });

    it("survives binary output", async function () {
      const { result } = await run(
        job(["head -c 65536 /dev/urandom", "printf '\\377\\376\\000\\001\\n'", "echo still-here"]),
      );
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.be.a("string");
      expect(result.output).to.include("still-here");
    });

    it("runs several jobs at once, keeping their outputs apart", async function () {
      const specs = [0, 1, 2, 3].map((i) => job([`echo job-${i}-start`, "sleep 0.5", `echo job-${i}-end`]));
      const results = await Promise.all(specs.map((s) => run(s)));
      results.forEach(({ result }, i) => {
        expect(result.outcome).to.equal("succeeded");
        expect(result.output).to.include(`job-${i}-start\njob-${i}-end\n`);
        for (const j of [0, 1, 2, 3]) if (j !== i) expect(result.output).to.not.include(`job-${j}-`);
      });
      for (const s of specs) await expectNothingLeft(s);
    });

    describe("per JobSpec field, as the executor declares it", function () {
      it("declares every JobSpec field, and honours those the general cases above rely on", function () {
        expect(Object.keys(support).sort()).to.deep.equal([...JOB_SPEC_FIELDS].sort());
        for (const field of JOB_SPEC_FIELDS) {
          const declared = support[field];
          if (declared !== "honoured") expect(declared.limitation, field).to.match(/\S/);
          if ("coveredBy" in FIELD_CASES[field]) expect(declared, field).to.equal("honoured");
        }
      });

      const tools = {
        job,
        run: (spec: JobSpec, context: Partial<JobRunContext> = {}) =>
          target.executor.run(spec, { signal: new AbortController().signal, ...context }),
        existing: (labels: Record<string, string>) => target.leftovers?.(labels),
      };
      for (const field of JOB_SPEC_FIELDS) {
        const declared = support[field];
        const fieldCase = FIELD_CASES[field];
        if (declared !== "honoured") {
          it(`accepts ${field} without effect (declared: ${declared.limitation})`, async function () {
            const { result } = await run(job(["echo accepted"], fieldCase.sample));
            expect(result.outcome, result.error?.message).to.equal("succeeded");
            expect(result.output).to.equal("accepted\n");
          });
        } else if ("check" in fieldCase) {
          it(`honours ${field}`, async function () {
            await fieldCase.check(tools);
          });
        }
      }
    });
  });
}

async function tempDirMount(): Promise<SharedMount> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-contract-mount-"));
  return { source: dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}
