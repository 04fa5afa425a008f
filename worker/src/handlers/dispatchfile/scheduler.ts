/**
 * Starts each task as soon as all its prerequisites have succeeded, so independent tasks run in
 * parallel. After the first failure no further task starts (as in a Tekton pipeline, which runs
 * Dispatch's tasks): tasks already running finish, the others are reported as skipped.
 */
import type { RunError } from "@bosun/core";
import type { TaskPlan } from "@bosun/dispatchfile";

export interface ScheduledOutcome {
  status: "succeeded" | "failed" | "cancelled";
  error?: RunError;
}

export interface ScheduleEvents {
  /** Runs one task; never rejects for the task's own failure. */
  run(task: string): Promise<ScheduledOutcome>;
  skipped(task: string, reason: string): void;
}

/** Runs the plan's tasks (planTasks: in dependency order, each with its prerequisites). */
export async function runInDependencyOrder(
  plan: TaskPlan,
  events: ScheduleEvents,
  signal: AbortSignal,
): Promise<ScheduledOutcome> {
  const tasks = plan.tasks.map((t) => t.name);
  const before = new Map(plan.tasks.map((t) => [t.name, t.prerequisites] as const));
  const state = new Map<string, "running" | ScheduledOutcome["status"]>();
  const running = new Map<string, Promise<void>>();
  let first: ScheduledOutcome | undefined;

  const prerequisites = (task: string) => before.get(task) ?? [];
  const ready = (task: string) =>
    !state.has(task) && prerequisites(task).every((t) => state.get(t) === "succeeded");

  for (;;) {
    if (!first && !signal.aborted) {
      for (const task of tasks.filter(ready)) {
        state.set(task, "running");
        running.set(
          task,
          events.run(task).then((outcome) => {
            state.set(task, outcome.status);
            running.delete(task);
            if (outcome.status !== "succeeded" && !first) first = outcome;
          }),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  for (const task of tasks) {
    if (state.has(task)) continue;
    const notSucceeded = prerequisites(task).filter((t) => state.get(t) !== "succeeded");
    const reason =
      notSucceeded.length > 0
        ? `it depends on ${notSucceeded.join(", ")}, which did not succeed`
        : signal.aborted
          ? "the run was cancelled"
          : "an earlier task failed";
    events.skipped(task, reason);
  }
  if (first) return first;
  if (signal.aborted) return { status: "cancelled" };
  return { status: "succeeded" };
}
