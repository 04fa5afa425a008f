/** What both SQL stores decide alike about a rerun, retry or cancel, from the rows they read. */
import { isRunFinished, type Run, type RunRequest } from "@bosun/core";
import type { EventState, RunRefusal } from "./types.js";

/** Undefined when the request may be queued. */
export function refuseRequest(
  request: RunRequest,
  run: Run | undefined,
  eventState: EventState | undefined,
): RunRefusal | undefined {
  if (!run) return { refused: "NOT_FOUND", message: `no run ${request.runId}` };
  if (!eventState)
    return { refused: "NOT_FOUND", message: `the event ${run.eventId} of run ${run.id} is no longer stored` };
  if (!isRunFinished(run.status))
    return { refused: "RUN_IN_PROGRESS", message: `run ${run.id} is ${run.status}: wait for it to finish` };
  if (eventState !== "done")
    return {
      refused: "RUN_IN_PROGRESS",
      message: `event ${run.eventId} of run ${run.id} already has a run queued or running`,
    };
  if (request.kind === "retry" && run.status === "succeeded")
    return {
      refused: "RUN_NOT_RETRYABLE",
      message: `run ${run.id} succeeded: there is nothing to retry (rerun runs it again from the start)`,
    };
  return undefined;
}

export function refuseCancel(id: string, run: Run | undefined): RunRefusal | undefined {
  if (!run) return { refused: "NOT_FOUND", message: `no run ${id}` };
  if (isRunFinished(run.status))
    return { refused: "RUN_FINISHED", message: `run ${id} has finished (${run.status}): nothing to cancel` };
  return undefined;
}

/** The error a run cancelled on request ends with. */
export function cancelledError(requestedBy: string): NonNullable<Run["error"]> {
  return { code: "RUN_CANCELLED", message: `cancelled at the request of ${requestedBy}` };
}

/** What cancelling an event comes to: cancelling its queued or running run, or a run it never had. */
export type EventCancelPlan = RunRefusal | { runId: string } | { unrun: true };

export function planEventCancel(
  eventId: string,
  state: EventState | undefined,
  newest: Run | undefined,
): EventCancelPlan {
  if (!state) return { refused: "NOT_FOUND", message: `no event ${eventId}` };
  if (newest && !isRunFinished(newest.status)) return { runId: newest.id };
  if (state === "queued") return { unrun: true };
  if (state === "done")
    return { refused: "RUN_FINISHED", message: `event ${eventId} has been run: nothing to cancel` };
  // Claimed, its run not recorded yet: a moment later it is, and cancelling it is the run's cancel.
  return { refused: "RUN_IN_PROGRESS", message: `event ${eventId} is starting; cancel its run instead` };
}
