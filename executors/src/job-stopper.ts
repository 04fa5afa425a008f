import type { JobResult } from "@bosun/core";
/**
 * Folds a job's two ways of being stopped early, its timeout and the caller's AbortSignal, into one
 * signal and remembers which came first, so the executor can report `timed_out` or `cancelled`.
 */
export type StopReason = "timed_out" | "cancelled";

export class JobStopper {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onAbort: () => void;
  private readonly callerSignal: AbortSignal;
  private stopReason: StopReason | undefined;

  constructor(callerSignal: AbortSignal, timeoutMs?: number) {
    this.callerSignal = callerSignal;
    this.onAbort = () => this.stop("cancelled");
    if (callerSignal.aborted) this.stop("cancelled");
    else callerSignal.addEventListener("abort", this.onAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0 && !this.stopReason) {
      this.timer = setTimeout(() => this.stop("timed_out"), timeoutMs);
    }
  }

  /** Aborted as soon as the job must stop; pass it to anything that waits. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get reason(): StopReason | undefined {
    return this.stopReason;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.callerSignal.removeEventListener("abort", this.onAbort);
  }

  private stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.controller.abort(new Error(reason === "timed_out" ? "job timed out" : "job cancelled"));
  }
}

/**
 * The result of a job its timeout or a cancellation stopped; undefined when neither did. `how` says
 * what was done to it ("was killed", "its pod was deleted").
 */
export function stoppedResult(
  reason: StopReason | undefined,
  timeoutMs: number | undefined,
  base: Pick<JobResult, "output" | "startedAt" | "finishedAt">,
  how = "was killed",
): JobResult | undefined {
  if (reason === "timed_out") {
    const message = `the job did not finish within ${timeoutMs} ms and ${how}`;
    return { ...base, outcome: "timed_out", error: { code: "JOB_TIMED_OUT", message } };
  }
  if (reason === "cancelled") {
    return {
      ...base,
      outcome: "cancelled",
      error: { code: "JOB_CANCELLED", message: "the job was cancelled" },
    };
  }
  return undefined;
}
