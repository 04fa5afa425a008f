/**
 * A run's job limits (project `jobs`): at most `maxPerRun` jobs started in all, at most
 * `maxConcurrentPerRun` running at once (the rest wait their turn). A job past the total is refused
 * at once with JOB_INVALID, and the first refusal is written to the run's log: a script that starts
 * jobs in a loop ends instead of queueing without end.
 */
import type { ErrorCode, JobResult, JobSpec, ProjectConfig, Run } from "@bosun/core";
import { Slots } from "@bosun/executors";
import type { LogWriter } from "./log-writer.js";

export const DEFAULT_RUN_JOB_LIMITS = { maxPerRun: 500, maxConcurrentPerRun: 4 };

export interface RunJobLimits {
  run(spec: JobSpec, signal: AbortSignal, launch: () => Promise<JobResult>): Promise<JobResult>;
}

export function runJobLimits(project: ProjectConfig, run: Run, logs: LogWriter): RunJobLimits {
  const { maxPerRun, maxConcurrentPerRun } = project.jobs ?? DEFAULT_RUN_JOB_LIMITS;
  const slots = new Slots(maxConcurrentPerRun);
  let started = 0;
  let refusals = 0;
  return {
    async run(spec, signal, launch) {
      if (started >= maxPerRun) {
        const message =
          `job "${spec.name}" was not started: run ${run.id} has already started ${maxPerRun} jobs, ` +
          `the most project "${project.name}" allows a run (jobs.maxPerRun)`;
        if (refusals++ === 0) logs.write({ runId: run.id, stream: "script", text: `${message}\n` });
        return refused("JOB_INVALID", message);
      }
      started++;
      let release: () => void;
      try {
        release = await slots.acquire(run.id, signal);
      } catch {
        return refused(
          "JOB_CANCELLED",
          `job "${spec.name}" was cancelled while waiting for the run's other jobs`,
          "cancelled",
        );
      }
      try {
        return await launch();
      } finally {
        release();
      }
    },
  };
}

function refused(code: ErrorCode, message: string, outcome: JobResult["outcome"] = "failed"): JobResult {
  const at = new Date().toISOString();
  return { outcome, output: "", startedAt: at, finishedAt: at, error: { code, message } };
}
