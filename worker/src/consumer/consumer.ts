/**
 * The queue consumer: claims events with a lease, honours per-project concurrency, keeps leases alive
 * while runs are in flight, and finishes the event only when its run is recorded. A worker that dies
 * leaves its leases to expire, so another worker (or this one, restarted) claims the event again.
 * A cancel asked of a run it holds (Store.cancelRun, from any process) reaches it as a hint, or when it
 * renews the run's lease: the run is aborted, its jobs stopped, and the event finished.
 */
import { hostname } from "node:os";
import { newId, type ProjectConfig } from "@bosun/core";
import { type Claim, type Store } from "@bosun/store";
import { processClaim, type RunDependencies } from "./process-claim.js";
import { CancelRequested } from "./rounds.js";
import { verifyClaim, type VerifyOptions } from "./verify.js";

interface InFlight {
  project: string;
  controller: AbortController;
  /** Known once the run is recorded. */
  runId?: string;
}

export interface ConsumerOptions extends RunDependencies, Pick<VerifyOptions, "verifier" | "verifyRetry"> {
  store: Store;
  findProject(name: string): ProjectConfig | undefined;
  /** Runs in flight at once in this worker, across projects. */
  maxRuns?: number;
  leaseMs?: number;
  /** How often to look for work from other processes; local accepts wake the consumer at once. */
  pollMs?: number;
  /**
   * True while this process is busy accepting pushes: claims wait, so that during a burst the
   * registries get their answers first and handlers start a moment later.
   */
  busy?: () => boolean;
  /** The longest a busy process holds off: then one event is claimed anyway. Default 1000 ms. */
  maxHoldOffMs?: number;
  onError?(error: unknown): void;
}

/** How soon a consumer that held off for a busy gateway looks again. */
const BUSY_RETRY_MS = 10;

export class Consumer {
  readonly owner = `${hostname()}:${process.pid}:${newId()}`;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly leaseMs: number;
  private readonly maxRuns: number;
  private stopped = true;
  private handingBack = false;
  private pumping = false;
  private pumpAgain = false;
  /**
   * The saturated projects at the last claim that found nothing. A claim skips saturated projects by
   * walking past their queued events, so with a long queue it is the worker's main cost: it is not
   * repeated for the same set until other events may have arrived (an accept, or the poll).
   */
  private emptyWithout: string | undefined;
  /** When the current hold-off for a busy process began (performance.now()). */
  private heldOffSince: number | undefined;
  private timers: NodeJS.Timeout[] = [];
  private busyRetry: NodeJS.Timeout | undefined;
  private unsubscribe?: () => void;
  private unsubscribeCancels?: () => void;
  private idle: (() => void)[] = [];

  constructor(private readonly options: ConsumerOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.maxRuns = options.maxRuns ?? 8;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.store.onEventsAccepted((projects) => {
      // A claim skips saturated projects by walking past their queued events: with a long queue that
      // walk is the worker's main cost, so only claim when an accepted event could be taken.
      const saturated = new Set(this.saturatedProjects());
      if (this.inFlight.size < this.maxRuns && projects.some((p) => !saturated.has(p))) {
        this.emptyWithout = undefined;
        this.pump();
      }
    });
    this.unsubscribeCancels = this.options.store.onRunCancelRequested((runId) => {
      for (const r of this.inFlight.values()) if (r.runId === runId) void this.cancelIfAsked(r);
    });
    const poll = () => {
      this.emptyWithout = undefined; // events from other processes arrive unannounced
      this.pump();
    };
    this.timers.push(setInterval(poll, this.options.pollMs ?? 1_000).unref());
    this.timers.push(setInterval(() => void this.renewLeases(), Math.max(this.leaseMs / 3, 10)).unref());
    this.pump();
  }

  /**
   * Stops claiming. With `cancel`, aborts runs in flight and hands their events back to the queue (the
   * lease is released, not the event finished): a restarted worker runs them again, so no push is lost.
   * Resolves when no run is left.
   */
  async stop({ cancel = false } = {}): Promise<void> {
    this.stopped = true;
    this.handingBack = cancel;
    this.unsubscribe?.();
    this.unsubscribeCancels?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.busyRetry);
    this.busyRetry = undefined;
    if (cancel) for (const r of this.inFlight.values()) r.controller.abort();
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  get running(): number {
    return this.inFlight.size;
  }

  /** Claims as long as there is capacity and work; coalesces concurrent wake-ups. */
  private pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          while (!this.stopped && this.inFlight.size < this.maxRuns) {
            if (this.holdsOff()) {
              this.retryWhenLessBusy();
              break;
            }
            const skipProjects = this.saturatedProjects();
            const key = skipProjects.sort().join("\n");
            if (skipProjects.length > 0 && key === this.emptyWithout) break;
            const claim = await this.options.store.claimEvent({
              owner: this.owner,
              leaseMs: this.leaseMs,
              skipProjects,
              concurrencyOf: this.concurrencyOf,
            });
            if (!claim) {
              if (skipProjects.length > 0) this.emptyWithout = key;
              break;
            }
            this.begin(claim);
          }
        } while (this.pumpAgain && !this.stopped);
      } catch (err) {
        this.options.onError?.(err);
      } finally {
        this.pumping = false;
      }
    })();
  }

  /** One timer at a time: every accept during a burst wakes the pump, and each would add its own. */
  private retryWhenLessBusy(): void {
    if (this.busyRetry) return;
    this.busyRetry = setTimeout(() => {
      this.busyRetry = undefined;
      this.pump();
    }, BUSY_RETRY_MS).unref();
  }

  /**
   * While the process is busy answering pushes, claims wait; but never longer than maxHoldOffMs at a
   * time, so that sustained pushes delay handlers without starving them.
   */
  private holdsOff(): boolean {
    if (!this.options.busy?.()) {
      this.heldOffSince = undefined;
      return false;
    }
    const now = performance.now();
    this.heldOffSince ??= now;
    if (now - this.heldOffSince < (this.options.maxHoldOffMs ?? 1_000)) return true;
    this.heldOffSince = now;
    return false;
  }

  private saturatedProjects(): string[] {
    const counts = new Map<string, number>();
    for (const r of this.inFlight.values()) counts.set(r.project, (counts.get(r.project) ?? 0) + 1);
    return [...counts].filter(([name, n]) => n >= this.concurrencyOf(name)).map(([name]) => name);
  }

  /** A project's limit, held by this worker (skipProjects) and across workers by a shared store. */
  private readonly concurrencyOf = (project: string): number =>
    this.options.findProject(project)?.concurrency ?? 1;

  private begin(claim: Claim): void {
    const entry: InFlight = { project: claim.event.project, controller: new AbortController() };
    this.inFlight.set(claim.event.id, entry);
    const onRunStarted = (run: { id: string; cancelRequestedBy?: string }) => {
      entry.runId = run.id;
      if (run.cancelRequestedBy !== undefined)
        entry.controller.abort(new CancelRequested(run.cancelRequestedBy));
    };
    void verifyClaim(claim, this.options, this.owner)
      .then(async (checked) => {
        if ("deferred" in checked) return; // back in the queue: the registry is asked again later
        const notRun = "refused" in checked ? { notRun: checked.refused } : {};
        await processClaim(checked.claim, this.options, entry.controller.signal, { onRunStarted, ...notRun });
        await (this.handingBack
          ? this.options.store.renewLease(claim.event.id, this.owner, 0)
          : this.options.store.finishEvent(claim.event.id, this.owner));
      })
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => {
        this.inFlight.delete(claim.event.id);
        if (this.inFlight.size === 0) for (const resolve of this.idle.splice(0)) resolve();
        this.pump();
      });
  }

  /** Reads the run's record: a cancel asked for aborts it, with the asker as the reason. */
  private async cancelIfAsked(r: InFlight): Promise<void> {
    if (r.runId === undefined || r.controller.signal.aborted) return;
    try {
      const run = await this.options.store.getRun(r.runId);
      if (run?.cancelRequestedBy !== undefined)
        r.controller.abort(new CancelRequested(run.cancelRequestedBy));
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private async renewLeases(): Promise<void> {
    for (const [eventId, r] of this.inFlight) {
      try {
        // A lost lease means another worker took the event over: stop duplicating its work.
        if (!(await this.options.store.renewLease(eventId, this.owner, this.leaseMs))) r.controller.abort();
        else await this.cancelIfAsked(r);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}
