import { expect } from "chai";
import ivm from "isolated-vm";
import {
  createLog,
  createRunJob,
  createSettle,
  createTimers,
  installHostFunctions,
} from "../src/sandbox/isolated/host-functions/index.js";
import { fixture, runFixture } from "./sandbox-harness.test.js";

/** Generous: a refusal is immediate; a backtracking check on these inputs would take minutes or hours. */
const QUICK_MS = 5_000;

describe("sandbox host functions called directly with hostile arguments", function () {
  this.timeout(60_000);

  it("refuses each hostile job request from a real script at once, naming the field, never echoing it", async () => {
    const started = Date.now();
    const { outcome, specs, output } = await runFixture(fixture("raw-host", "brigade.js"), {
      limits: { timeoutMs: 20_000, cpuMs: 10_000 },
    });
    expect(Date.now() - started).to.be.below(QUICK_MS);
    expect(outcome.status, output()).to.equal("succeeded");
    expect(specs, "no hostile request reached the runner").to.deep.equal([]);
    const lines = Object.fromEntries(
      output()
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]),
    );
    const refused = (what: string, ...parts: string[]) => {
      expect(lines[what], what).to.match(/^HOST_CALL_INVALID: /);
      for (const part of parts) expect(lines[what], what).to.include(part);
      expect(lines[what]!.length, `${what} is short`).to.be.below(400);
    };
    refused("backtracking name", "job.name: expected up to 63 letters", '"aaaa');
    refused("long backtracking name", "job.name: expected at most 63 characters, found 6001");
    refused("secret-sized name", "job.name: expected at most 63 characters");
    refused("secret-sized image", "job.image: expected at most 512 characters, found");
    refused("name of another type", "job.name: expected a string, found object");
    refused("huge task", "job.tasks[0]: expected at most 65536 characters, found 70000");
    refused("too many tasks", "job.tasks: expected at most 1000 entries, found 1001");
    refused("too many env entries", "job.env: expected at most 1000 entries, found 1001");
    refused("long env name", "job.env key: expected at most 253 characters, found 5000");
    refused(
      "long env value under a long name",
      `job.env["${"E".repeat(40)}"… (200 characters)]: expected at most 65536 characters, found 70000`,
    );
    refused("prototype key in env", 'job.env: expected a name, found the reserved key "__proto__"');
    refused("prototype key in annotations", "job.annotations: expected a name, found the reserved key");
    refused("NUL in env", "job.env.A: expected no NUL character");
    refused("timeout past the timer range", "job.timeout: expected a positive number of milliseconds up to");
    refused("deep nesting", "job.tasks[0]: expected a string, found array");
    refused("too large", "runJob: expected a job of at most 524288 bytes");
    refused("not JSON", "runJob: expected the job as JSON, found text that is not JSON");
    refused("cache size not a quantity", "job.cache.size: expected a quantity");
    expect(output()).not.to.include("s3cr3t-s3cr3t-s3cr3t-");
    expect(lines["prototype intact"]).to.equal("true");
  });

  it("refuses values of every kind that can cross into a host function, without reaching the host's bug path", async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 32 });
    const bugs: unknown[] = [];
    const started: unknown[] = [];
    try {
      const context = await isolate.createContext();
      const timers = createTimers(() => {}, 10);
      await installHostFunctions(
        context,
        {
          runJob: createRunJob({
            runJob: async (spec) => {
              started.push(spec);
              throw new Error("not started in this test");
            },
            signal: new AbortController().signal,
            maxJobs: 10,
            deliver: () => {},
            track: () => {},
          }),
          setTimer: timers.setTimer,
          clearTimer: timers.clearTimer,
          log: createLog(() => {}, 1000),
          settle: createSettle(() => {}),
        },
        (error) => bugs.push(error),
      );
      const json = await context.eval(
        `(() => {
          const host = globalThis.__bosunHost;
          const big = "x".repeat(4_000_000);
          const hostile = {
            undefined: undefined, null: null, number: 1e308, nan: NaN, bigint: 10n, big,
            array: [1, [2, [3]]], object: { name: "ok", image: "alpine" },
            getter: { get name() { return "ok"; } },
            proxy: new Proxy({}, { get: () => "ok" }),
            symbol: Symbol("s"), function: () => "ok", date: new Date(0),
          };
          const out = {};
          for (const [fn, args] of [
            ["runJob", (v) => [1, v]], ["runJob", (v) => [v, "{}"]], ["log", (v) => ["info", v]],
            ["log", (v) => [v, "x"]], ["setTimer", (v) => [1, v]], ["setTimer", (v) => [v, 1]],
            ["clearTimer", (v) => [v]], ["settle", (v) => [v]],
          ]) {
            for (const [what, value] of Object.entries(hostile)) {
              let answer;
              try {
                const refusal = host[fn](...args(value));
                answer = refusal === undefined ? "accepted" : JSON.parse(refusal).code + ": " + JSON.parse(refusal).message;
              } catch (e) {
                answer = "threw: " + String(e && e.message);
              }
              out[fn + "(" + args("@").indexOf("@") + ") " + what] = answer;
            }
          }
          return JSON.stringify(out);
        })()`,
        { timeout: QUICK_MS },
      );
      const answers = JSON.parse(json as string) as Record<string, string>;
      timers.clearAll();
      const accepted = Object.entries(answers).filter(([, a]) => a === "accepted");
      // Only what is within the contract is taken: a long line of text, which log clips.
      expect(accepted.map(([k]) => k).sort()).to.deep.equal(["log(1) big"]);
      for (const [what, answer] of Object.entries(answers)) {
        if (answer === "accepted") continue;
        expect(answer, what).to.match(/^(HOST_CALL_INVALID: |threw: )/);
        expect(answer.length, `${what} is short`).to.be.below(300);
      }
      expect(bugs).to.deep.equal([]);
      expect(started).to.deep.equal([]);
    } finally {
      isolate.dispose();
    }
  });
});
