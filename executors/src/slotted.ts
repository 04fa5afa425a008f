/** Running a job in one of an executor's slots (see slots.ts), keyed by the job's project. */
import type { Executor, JobResult, JobRunContext, JobSpec } from "@bosun/core";
import type { Slots } from "./slots.js";

/** Waits for a slot for the job's project, runs the job, frees the slot; cancelled while waiting is an outcome. */
export async function runInSlot(
  slots: Slots,
  spec: JobSpec,
  context: JobRunContext,
  run: () => Promise<JobResult>,
): Promise<JobResult> {
  let release: () => void;
  try {
    release = await slots.acquire(spec.labels["bosun.project"] ?? "", context.signal);
  } catch {
    const at = new Date().toISOString();
    const error = {
      code: "JOB_CANCELLED" as const,
      message: "the job was cancelled while waiting for a free job slot",
    };
    return { outcome: "cancelled", output: "", startedAt: at, finishedAt: at, error };
  }
  try {
    return await run();
  } finally {
    release();
  }
}

/** An executor whose jobs wait for one of `slots` (for executors without a cap of their own). */
export function withSlots(executor: Executor, slots: Slots): Executor {
  return {
    kind: executor.kind,
    run: (spec, context) => runInSlot(slots, spec, context, () => executor.run(spec, context)),
  };
}
