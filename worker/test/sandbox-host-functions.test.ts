import { expect } from "chai";
import { createLog } from "../src/sandbox/isolated/host-functions/log.js";
import { parseJobRequest } from "../src/sandbox/isolated/host-functions/job-request.js";
import { createRunJob } from "../src/sandbox/isolated/host-functions/run-job.js";
import { createSettle } from "../src/sandbox/isolated/host-functions/settle.js";
import { createTimers } from "../src/sandbox/isolated/host-functions/timers.js";
import type { JobSpec } from "@bosun/core";
import type { JobReply } from "@bosun/sdk";
import type { ErrorCode } from "@bosun/core";

/** Failures as the executors word them, with the host's paths and connection details in them. */
const FAILURES: Record<string, { code: ErrorCode; message: string }> = {
  "engine-gone": {
    code: "EXECUTOR_UNAVAILABLE",
    message:
      "the container engine at /run/podman/podman.sock is unreachable (connect ECONNREFUSED /run/podman/podman.sock); see docker.io/library/alpine and https://example.com/v2/",
  },
  "127.0.0.1:5999/team/app:v1": {
    code: "IMAGE_PULL_FAILED",
    message:
      'pulling 127.0.0.1:5999/team/app:v1 failed: initializing source docker://127.0.0.1:5999/team/app:v1: pinging container registry 127.0.0.1:5999: Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
  },
  "registry.example.com/team/app:v1": {
    code: "IMAGE_PULL_FAILED",
    message: "pulling registry.example.com/team/app:v1 failed: manifest unknown",
  },
};

const refusal = (json: string | undefined) =>
  JSON.parse(json ?? "null") as { code: string; message: string } | null;

const request = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ name: "build", image: "alpine:3.20", tasks: ["echo hi"], env: { A: "1" }, ...overrides });

describe("sandbox host functions", () => {
  describe("runJob's request check", () => {
    it("turns a request into a job spec with defaults for what is absent", () => {
      const parsed = parseJobRequest(request({ timeoutMs: 1500.2, storage: { enabled: true, path: "/s" } }));
      if (parsed.errors) throw new Error(parsed.errors[0]!.message);
      expect(parsed.value).to.deep.include({
        name: "build",
        image: "alpine:3.20",
        tasks: ["echo hi"],
        args: [],
        env: { A: "1" },
        shell: "/bin/sh",
        timeoutMs: 1501,
        privileged: false,
        labels: {},
        storage: { enabled: true, path: "/s" },
      });
    });

    for (const [what, json, problem] of [
      ["not a string", 42, "expected the job as a JSON string, found number"],
      ["not JSON", "{", "runJob: expected the job as JSON, found text that is not JSON"],
      ["an array", "[]", "job: expected an object, found array"],
      [
        "a bad name",
        request({ name: "-x" }),
        'job.name: expected up to 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, found "-x"',
      ],
      [
        "a name that is too long",
        request({ name: "a".repeat(64) }),
        "job.name: expected at most 63 characters, found 64",
      ],
      ["a missing image", request({ image: undefined }), "job.image: expected a string, found undefined"],
      [
        "an empty image",
        request({ image: " " }),
        'job.image: expected an image reference like alpine:3.20, found " "',
      ],
      [
        "a task that is not a string",
        request({ tasks: ["ok", 3] }),
        "job.tasks[1]: expected a string, found number",
      ],
      [
        "an env value that is not a string",
        request({ env: { A: {} } }),
        "job.env.A: expected a string, found object",
      ],
      [
        "an env name that is not one",
        request({ env: { "A B": "x" } }),
        'job.env key: expected letters, digits, "_", "-" and ".", not starting with a digit, found "A B"',
      ],
      [
        "an env name starting with a digit",
        request({ env: { "1A": "x" } }),
        'not starting with a digit, found "1A"',
      ],
      ["a negative timeout", request({ timeoutMs: -1 }), "job.timeout: expected a positive number"],
      [
        "privileged as a string",
        request({ privileged: "yes" }),
        "job.privileged: expected true or false, found string",
      ],
      [
        "too many tasks",
        request({ tasks: Array.from({ length: 1001 }, () => "x") }),
        "job.tasks: expected at most 1000 entries, found 1001",
      ],
      ["too large", "x".repeat(600_000), "expected a job of at most 524288 bytes"],
    ] as const) {
      it(`refuses ${what}`, () => {
        const parsed = parseJobRequest(json);
        expect(parsed.errors?.[0]?.message).to.include(problem);
      });
    }

    it("gives each refusal as a problem with its code, path, expected and found", () => {
      const parsed = parseJobRequest(request({ tasks: ["ok"], env: { B: "x".repeat(70_000) } }));
      expect(parsed.errors).to.deep.equal([
        {
          code: "HOST_CALL_INVALID",
          message: "job.env.B: expected at most 65536 characters, found 70000",
          path: "job.env.B",
          expected: "at most 65536 characters",
          found: "70000",
        },
      ]);
    });

    it("takes env names as Kubernetes does: letters, digits, _, - and ., not starting with a digit", () => {
      const env = { _A: "1", "docker-host": "2", "app.port": "3", ".x": "4" };
      const parsed = parseJobRequest(request({ env }));
      if (parsed.errors) throw new Error(parsed.errors[0]!.message);
      expect(parsed.value.env).to.deep.equal(env);
    });
  });

  describe("runJob", () => {
    function setup(maxJobs = 10) {
      const delivered: [number, string][] = [];
      const specs: JobSpec[] = [];
      const work: Promise<void>[] = [];
      const runJob = createRunJob({
        runJob: async (spec) => {
          specs.push(spec);
          if (spec.image === "explode") throw new Error("engine down");
          if (spec.image === "explode-with-code")
            throw Object.assign(new Error("no such file"), { code: "ENOENT" });
          if (spec.image === "explode-registered")
            throw Object.assign(new Error("over the limit"), { code: "JOB_INVALID" });
          if (spec.image === "explode-with-path")
            throw new Error("ENAMETOOLONG: name too long, mkdir '/var/lib/bosun/cache/demo/build'");
          const failure = FAILURES[spec.image];
          if (failure)
            return { outcome: "failed", output: "", startedAt: "a", finishedAt: "b", error: failure };
          return { outcome: "succeeded", exitCode: 0, output: "ok", startedAt: "a", finishedAt: "b" };
        },
        signal: new AbortController().signal,
        maxJobs,
        deliver: (id, reply) => delivered.push([id, reply]),
        track: (w) => work.push(w),
      });
      return { runJob, delivered, specs, settle: () => Promise.all(work) };
    }

    it("starts the job and delivers its reply by call id", async () => {
      const { runJob, delivered, settle } = setup();
      expect(runJob(7, request())).to.equal(undefined);
      await settle();
      expect(delivered).to.have.length(1);
      expect(delivered[0]![0]).to.equal(7);
      expect(JSON.parse(delivered[0]![1])).to.deep.equal({
        ok: true,
        result: {
          name: "build",
          outcome: "succeeded",
          exitCode: 0,
          output: "ok",
          startedAt: "a",
          finishedAt: "b",
        },
      });
    });

    it("names a job run twice apart, and tells the script the name it got", async () => {
      const { runJob, specs, delivered, settle } = setup();
      runJob(1, request());
      runJob(2, request());
      await settle();
      expect(specs.map((s) => s.name)).to.deep.equal(["build", "build-2"]);
      const names = delivered.map(
        ([, json]) => (JSON.parse(json) as { result: { name: string } }).result.name,
      );
      expect(names.sort()).to.deep.equal(["build", "build-2"]);
    });

    it("refuses a bad call id, and jobs over the limit", () => {
      const { runJob } = setup(1);
      expect(refusal(runJob(0, request()))?.message).to.include("call id");
      expect(refusal(runJob("1", request()))?.code).to.equal("HOST_CALL_INVALID");
      expect(runJob(1, request())).to.equal(undefined);
      expect(refusal(runJob(2, request()))?.message).to.include("at most 1 jobs");
    });

    it("tells the script of a failure without host paths, keeping image references and URLs", async () => {
      const { runJob, delivered, settle } = setup();
      runJob(4, request({ image: "explode-with-path" }));
      runJob(5, request({ image: "engine-gone" }));
      await settle();
      const replies = delivered.map(([, json]) => json).join("\n");
      expect(replies).not.to.include("/var/lib/bosun");
      expect(replies).not.to.include("/run/podman");
      const byId = new Map(delivered.map(([id, json]) => [id, JSON.parse(json) as JobReply]));
      expect(byId.get(4)).to.deep.equal({
        ok: false,
        error: {
          code: "INTERNAL",
          message: "the job could not be run: ENAMETOOLONG: name too long, mkdir '<path>'",
        },
      });
      expect(byId.get(5)).to.deep.include({ ok: true });
      const result = (byId.get(5) as Extract<JobReply, { ok: true }>).result;
      expect(result.error).to.deep.equal({
        code: "EXECUTOR_UNAVAILABLE",
        message:
          "the container engine at <path> is unreachable (connect ECONNREFUSED <path>); see docker.io/library/alpine and https://example.com/v2/",
      });
    });

    it("tells the script of a pull that could not connect without the connection's details", async () => {
      const { runJob, delivered, settle } = setup();
      const image = "127.0.0.1:5999/team/app:v1";
      runJob(6, request({ image }));
      runJob(7, request({ image: "registry.example.com/team/app:v1" }));
      await settle();
      const [unreachable, answered] = [6, 7].map(
        (id) => (JSON.parse(delivered.find(([i]) => i === id)![1]) as Extract<JobReply, { ok: true }>).result,
      );
      expect(unreachable!.error).to.deep.equal({
        code: "IMAGE_PULL_FAILED",
        message: `image pull failed for ${image}: the registry is unreachable or refused the connection`,
      });
      // A registry's own answer is the script's business: the tag it asked for does not exist.
      expect(answered!.error).to.deep.equal({
        code: "IMAGE_PULL_FAILED",
        message: "pulling registry.example.com/team/app:v1 failed: manifest unknown",
      });
    });

    it("answers a runner that throws with an error reply", async () => {
      const { runJob, delivered, settle } = setup();
      runJob(3, request({ image: "explode" }));
      await settle();
      expect(JSON.parse(delivered[0]![1])).to.deep.equal({
        ok: false,
        error: { code: "INTERNAL", message: "the job could not be run: engine down" },
      });
    });

    it("passes a thrown error's code on only when it is a registered one", async () => {
      const { runJob, delivered, settle } = setup();
      runJob(8, request({ image: "explode-with-code" }));
      runJob(9, request({ image: "explode-registered" }));
      await settle();
      const codes = new Map(
        delivered.map(([id, json]) => [
          id,
          (JSON.parse(json) as Extract<JobReply, { ok: false }>).error.code,
        ]),
      );
      expect(codes.get(8)).to.equal("INTERNAL");
      expect(codes.get(9)).to.equal("JOB_INVALID");
    });
  });

  describe("log", () => {
    it("passes lines on with a newline, and refuses bad levels and non-strings", () => {
      const lines: [string, string][] = [];
      const log = createLog((text, level) => lines.push([text, level]), 1000);
      expect(log("info", "hello")).to.equal(undefined);
      expect(refusal(log("loud", "x"))?.code).to.equal("HOST_CALL_INVALID");
      expect(refusal(log("info", 42))?.message).to.include("found number");
      expect(lines).to.deep.equal([["hello\n", "info"]]);
    });

    it("passes long lines on whole (cut after redaction) and stops at the run's cap with one notice", () => {
      const lines: string[] = [];
      const log = createLog((text) => lines.push(text), 40_000);
      log("info", "x".repeat(20_000));
      expect(lines[0]).to.equal(`${"x".repeat(20_000)}\n`);
      log("info", "y".repeat(16_000));
      log("info", "z".repeat(16_000));
      log("info", "after the cap");
      expect(lines).to.have.length(3);
      expect(lines[2]).to.include("the rest of it is dropped");
    });
  });

  describe("timers", () => {
    it("fires due timers by id and forgets cleared ones", async () => {
      const fired: number[] = [];
      const timers = createTimers((id) => fired.push(id), 10);
      timers.setTimer(1, 5);
      timers.setTimer(2, 1);
      timers.setTimer(3, 1);
      timers.clearTimer(3);
      expect(timers.pending).to.equal(2);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(fired).to.deep.equal([2, 1]);
      expect(timers.pending).to.equal(0);
    });

    it("refuses bad ids and delays, and too many timers", () => {
      const timers = createTimers(() => {}, 1);
      expect(refusal(timers.setTimer(-1, 5))?.message).to.include("timer id");
      expect(refusal(timers.setTimer(1, Number.NaN))?.message).to.include("delay");
      expect(refusal(timers.setTimer(1, 2 ** 31))?.message).to.include("delay");
      expect(timers.setTimer(1, 1000)).to.equal(undefined);
      expect(refusal(timers.setTimer(2, 1000))?.message).to.include("at most 1 timers");
      timers.clearAll();
      expect(timers.pending).to.equal(0);
    });
  });

  describe("settle", () => {
    it("takes a dispatch outcome, and refuses anything else", () => {
      const outcomes: unknown[] = [];
      const settle = createSettle((o) => outcomes.push(o));
      expect(settle(JSON.stringify({ status: "succeeded", handled: true }))).to.equal(undefined);
      expect(refusal(settle("{"))?.code).to.equal("HOST_CALL_INVALID");
      expect(refusal(settle(JSON.stringify({ status: "failed" })))?.message).to.include(
        "not a dispatch outcome",
      );
      expect(
        refusal(settle(JSON.stringify({ status: "succeeded", handled: true, pad: "x".repeat(300_000) })))
          ?.message,
      ).to.include("larger than");
      const failed = (error: Record<string, unknown>, trigger = "handlerError") =>
        settle(
          JSON.stringify({ status: "failed", trigger, error: { name: "Error", message: "m", ...error } }),
        );
      expect(refusal(failed({ stack: 5 }))?.message).to.include("not a dispatch outcome");
      expect(refusal(failed({ code: { x: 1 } }))?.message).to.include("not a dispatch outcome");
      expect(refusal(failed({}, "whenever"))?.message).to.include("not a dispatch outcome");
      expect(failed({ stack: "Error: m", code: "JOB_FAILED" })).to.equal(undefined);
      expect(outcomes).to.have.length(2);
      expect(outcomes[0]).to.deep.equal({ status: "succeeded", handled: true });
    });
  });
});
