/** Shared helpers for the sandbox tests: fixtures, a recording runJob, and a one-call run. */
import { formatProblems, type JobResult, type JobSpec } from "@bosun/core";
import type { IsolatePool } from "../src/index.js";
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bundleScript,
  runScript,
  type Bundle,
  type ScriptEvent,
  type ScriptLimits,
  type ScriptOutcome,
  type ScriptProject,
} from "../src/index.js";

/** The repository root (tests run from worker/dist/test). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const fixtures = join(repoRoot, "worker", "test", "fixtures", "scripts");
export const fixture = (...parts: string[]) => join(fixtures, ...parts);

export const TEST_LIMITS: Partial<ScriptLimits> = { memoryMb: 32, timeoutMs: 3_000, cpuMs: 1_000 };

export async function bundled(path: string): Promise<Bundle> {
  const result = await bundleScript(path);
  if (result.errors) throw new Error(formatProblems(result.errors));
  return result.value;
}

export type JobAnswer = (spec: JobSpec) => Partial<JobResult> | Promise<Partial<JobResult>>;

/** Records every job and line of output; jobs succeed with "output of <name>" unless `answer` says otherwise. */
export function recorder(answer?: JobAnswer) {
  const specs: JobSpec[] = [];
  const lines: string[] = [];
  return {
    specs,
    lines,
    output: () => lines.join(""),
    runJob: async (spec: JobSpec, _signal?: AbortSignal): Promise<JobResult> => {
      specs.push(spec);
      const at = new Date().toISOString();
      return {
        outcome: "succeeded",
        exitCode: 0,
        output: `output of ${spec.name}\n`,
        startedAt: at,
        finishedAt: at,
        ...(await answer?.(spec)),
      };
    },
    log: (text: string) => {
      lines.push(text);
    },
  };
}

export function execEvent(overrides: Partial<ScriptEvent> = {}): ScriptEvent {
  return {
    type: "exec",
    buildID: "build-1",
    workerID: "worker-1",
    provider: "cli",
    payload: "",
    ...overrides,
  };
}

export interface RunOptions {
  event?: ScriptEvent;
  project?: ScriptProject;
  limits?: Partial<ScriptLimits>;
  answer?: JobAnswer;
  signal?: AbortSignal;
  pool?: IsolatePool;
}

export async function runFixture(path: string, options: RunOptions = {}) {
  const rec = recorder(options.answer);
  const outcome: ScriptOutcome = await runScript({
    bundle: await bundled(path),
    event: options.event ?? execEvent(),
    project: options.project ?? { name: "demo", secrets: { token: "t0ken-value" } },
    limits: { ...TEST_LIMITS, ...options.limits },
    runJob: rec.runJob,
    log: rec.log,
    signal: options.signal,
    pool: options.pool,
  });
  return { outcome, ...rec };
}

describe("sandbox test harness", () => {
  it("finds its fixture scripts", () => {
    expect(existsSync(fixture("brigade-style", "brigade.js"))).to.equal(true);
  });

  it("records jobs and answers them", async () => {
    const rec = recorder((spec) => (spec.name === "bad" ? { outcome: "failed", exitCode: 2 } : {}));
    const spec = { name: "bad" } as JobSpec;
    const result = await rec.runJob(spec, new AbortController().signal);
    expect(result).to.include({ outcome: "failed", exitCode: 2 });
    expect(rec.specs).to.deep.equal([spec]);
  });
});
