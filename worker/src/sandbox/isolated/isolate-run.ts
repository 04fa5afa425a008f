/**
 * One script run in one fresh isolate. All execution in the isolate is started by the host (the
 * top level, the dispatch, each job reply, each due timer), one call at a time, so the host always
 * knows whether anything is still pending and can see rejections nobody handled at the end of a call.
 */
import type { DispatchOutcome } from "@bosun/sdk";
import type ivm from "isolated-vm";
import {
  createLog,
  createRunJob,
  createSettle,
  createTimers,
  type HostTimers,
} from "./host-functions/index.js";
import { compileCached } from "./code-cache.js";
import { faultMessage, fromDispatch, fromLoadError, isMemoryLimit } from "./outcome.js";
import { prepareIsolate, type RuntimeRefs } from "./prepared.js";
import { BUNDLE_FILENAME } from "./protocol.js";
import type { RunScriptOptions, ScriptLimits, ScriptOutcome } from "./types.js";

const CPU_CHECK_MS = 20;
/** How long a finished run waits for its jobs to notice the abort. */
const JOB_GRACE_MS = 5_000;

type Api = RuntimeRefs;

export class IsolateRun {
  /** Set once a prepared isolate is taken for this run. */
  private isolate: ivm.Isolate | undefined;
  private readonly jobs = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers: HostTimers;
  private finished = false;
  private settled = false;
  private dispatched = false;
  private queued = 0;
  private chain: Promise<void> = Promise.resolve();
  private api: Api | undefined;
  private resolve!: (outcome: ScriptOutcome) => void;
  private readonly result = new Promise<ScriptOutcome>((r) => (this.resolve = r));

  constructor(
    private readonly options: RunScriptOptions,
    private readonly limits: ScriptLimits,
  ) {
    this.timers = createTimers(
      (id) => this.call((api) => api.fireTimer.apply(undefined, [id])),
      limits.maxTimers,
    );
  }

  async run(): Promise<ScriptOutcome> {
    const { signal } = this.options;
    const cancel = () => this.finish({ status: "cancelled" });
    signal?.addEventListener("abort", cancel, { once: true });
    const wall = setTimeout(
      () =>
        this.finish({
          status: "timed_out",
          limit: "wall",
          message: `the script ran longer than ${this.limits.timeoutMs} ms`,
        }),
      this.limits.timeoutMs,
    );
    const cpu = setInterval(() => this.checkCpu(), CPU_CHECK_MS);
    if (signal?.aborted) cancel();
    else this.start().catch((error: unknown) => this.onIsolateError(error, "INTERNAL"));
    try {
      return await this.result;
    } finally {
      clearTimeout(wall);
      clearInterval(cpu);
      signal?.removeEventListener("abort", cancel);
      this.timers.clearAll();
      this.jobs.abort();
      if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
      await Promise.race([Promise.allSettled([...this.inFlight]), delay(JOB_GRACE_MS)]);
    }
  }

  private async start(): Promise<void> {
    const { bundle, pool } = this.options;
    const prepared = await (pool?.take(this.limits.memoryMb) ?? prepareIsolate(this.limits.memoryMb));
    if (this.finished) {
      prepared.isolate.dispose();
      return;
    }
    this.isolate = prepared.isolate;
    const settle = createSettle((outcome) => this.onSettle(outcome));
    prepared.bind({
      functions: {
        runJob: createRunJob({
          runJob: this.options.runJob,
          signal: this.jobs.signal,
          maxJobs: this.limits.maxJobs,
          deliver: (id, reply) => this.call((api) => api.deliverJob.apply(undefined, [id, reply])),
          track: (work) => this.track(work),
        }),
        setTimer: (id, ms) => this.timers.setTimer(id, ms),
        clearTimer: (id) => this.timers.clearTimer(id),
        log: createLog(
          (text, level) => !this.finished && this.options.log(text, level),
          this.limits.maxLogBytes,
        ),
        settle,
      },
      onBug: (bug) => this.fail("INTERNAL", `a host function failed: ${(bug as Error).message}`),
      onCatastrophicError: (message) =>
        setImmediate(() => this.fail("INTERNAL", `the sandbox failed beyond recovery: ${message}`)),
    });
    this.api = prepared.api;
    const context = prepared.context;
    const script = await compileCached(prepared.isolate, bundle.code, BUNDLE_FILENAME);
    let dispatchEvent: ivm.Reference;
    try {
      dispatchEvent = (await script.run(context, { reference: true })) as ivm.Reference;
    } catch (error) {
      if (prepared.isolate.isDisposed || this.finished) return this.onIsolateError(error, "INTERNAL");
      return this.finish(fromLoadError(error, bundle));
    }
    const event = JSON.stringify(this.options.event);
    const project = JSON.stringify(this.options.project);
    this.dispatched = true;
    this.call((a) => a.dispatch.apply(undefined, [dispatchEvent.derefInto(), event, project]));
  }

  /** Queues a call into the isolate behind the others. A rejection with the isolate alive is an unhandled rejection. */
  private call(fn: (api: Api) => Promise<unknown>): void {
    if (this.finished || !this.api) return;
    const api = this.api;
    this.queued++;
    this.chain = this.chain
      .then(() => (this.finished ? undefined : fn(api)))
      .then(
        () => undefined,
        (error: unknown) => this.deliverFault(api, error),
      )
      .finally(() => {
        this.queued--;
        this.checkStall();
      });
  }

  /**
   * Reports a call's unhandled rejection to the isolate in the same link of the chain, ahead of any
   * call queued meanwhile: a timer tick queued behind it would otherwise let the handlers finish as if
   * nothing had failed.
   */
  private async deliverFault(api: Api, error: unknown): Promise<void> {
    if (this.finished || !this.isolate || this.isolate.isDisposed)
      return this.onIsolateError(error, "INTERNAL");
    try {
      await api.fault.apply(undefined, [JSON.stringify(faultMessage(error))]);
    } catch (next) {
      // The first fault decided the outcome; another one raised while reporting it changes nothing.
      if (this.finished || !this.isolate || this.isolate.isDisposed) this.onIsolateError(next, "INTERNAL");
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.checkStall();
    });
  }

  private onSettle(outcome: DispatchOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (outcome.status === "succeeded" && !outcome.handled) {
      this.options.log(`no handler for "${this.options.event.type}" events; nothing to do\n`, "info");
    }
    // Not from inside the callback: the isolate is still on this call when it settles.
    setImmediate(() => this.finish(fromDispatch(outcome, this.options.bundle)));
  }

  /** Nothing queued, no job, no timer, yet no outcome: nothing can ever settle the handlers. */
  private checkStall(): void {
    if (this.finished || this.settled || !this.dispatched) return;
    if (this.queued > 0 || this.inFlight.size > 0 || this.timers.pending > 0) return;
    this.finish({
      status: "timed_out",
      limit: "stalled",
      message: "the handlers are waiting for a promise that nothing can settle (no job or timer is pending)",
    });
  }

  private checkCpu(): void {
    if (this.finished || !this.isolate || this.isolate.isDisposed) return;
    const ms = Number(this.isolate.cpuTime / 1_000_000n);
    if (ms > this.limits.cpuMs) {
      this.finish({
        status: "timed_out",
        limit: "cpu",
        message: `the script used more than ${this.limits.cpuMs} ms of CPU time`,
      });
    }
  }

  private onIsolateError(error: unknown, code: "INTERNAL"): void {
    if (this.finished) return;
    if (isMemoryLimit(error)) {
      return this.finish({
        status: "out_of_memory",
        message: `the script used more than ${this.limits.memoryMb} MB of memory`,
      });
    }
    this.fail(code, `the sandbox stopped: ${(error as Error)?.message ?? String(error)}`);
  }

  private fail(code: "INTERNAL", message: string): void {
    this.finish({ status: "failed", error: { code, message } });
  }

  /** The first outcome wins; the isolate is disposed at once so that nothing more runs in it. */
  private finish(outcome: ScriptOutcome): void {
    if (this.finished) return;
    this.finished = true;
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.resolve(outcome);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
