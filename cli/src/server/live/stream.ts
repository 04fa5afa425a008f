/**
 * GET /api/v1/stream: server-sent events for the dashboard. It sends `hello` once it has taken note of
 * the newest runs, then `run` for each run created or changed since; with `?run=<id>` also that run's
 * `job` changes and its `logs` (after `?after=<seq>`, so a page that reconnects misses nothing and gets
 * nothing twice); with `?deliveries=1` also `delivery` (its summary, without the body) for each
 * webhook request recorded since. Read from the store, so a worker or gateway in another process is
 * followed too (by polling); what this process writes wakes it at once (changes.ts).
 */
import type { Request, Response } from "express";
import type { JobRecord, LogEntry, Run } from "@bosun/core";
import type { Store } from "@bosun/store";
import { deliverySummary } from "../deliveries-api.js";
import type { ChangeSignal } from "./changes.js";

export interface StreamOptions {
  store: Store;
  changes: ChangeSignal;
  /** How often the store is read when this process wrote nothing (another process may have). */
  pollMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  onError?: (err: unknown) => void;
}

/** How many of the newest runs are watched for new ones and for status changes. */
const WATCHED_RUNS = 50;
/** How many of the newest deliveries are read at each tick for new ones. */
const WATCHED_DELIVERIES = 50;
const LOG_PAGE = 1000;

export function streamHandler(options: StreamOptions) {
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  return (req: Request, res: Response): void => {
    const stop = new AbortController();
    res.on("close", () => stop.abort());
    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    const follower = new Follower(options.store, res, {
      runId: typeof req.query.run === "string" && req.query.run ? req.query.run : undefined,
      afterSeq: Number(req.query.after ?? 0) || 0,
      deliveries: req.query.deliveries === "1",
    });
    const heartbeat = setInterval(() => res.write(": ping\n\n"), heartbeatMs);
    void (async () => {
      try {
        let seen = options.changes.generation;
        await follower.tick(true);
        follower.send("hello", { at: new Date().toISOString() });
        while (!stop.signal.aborted) {
          await options.changes.next(seen, pollMs, stop.signal);
          // Taken before reading: a write during the read wakes the next wait at once.
          seen = options.changes.generation;
          if (!stop.signal.aborted) await follower.tick(false);
        }
      } catch (err) {
        // A store outage ends the stream; the page reconnects, and is answered again once it is back.
        options.onError?.(err);
      } finally {
        clearInterval(heartbeat);
        res.end();
      }
    })();
  };
}

class Follower {
  /** Each watched run's status, finish time and cancel mark, as last sent. */
  readonly #runs = new Map<string, string>();
  readonly #jobs = new Map<string, string>();
  #afterSeq: number;
  readonly #runId?: string;
  /** The deliveries among the newest already sent or noted (a delivery does not change once recorded). */
  #deliveries?: Set<string>;

  constructor(
    private readonly store: Store,
    private readonly res: Response,
    subscription: { runId?: string; afterSeq: number; deliveries: boolean },
  ) {
    this.#runId = subscription.runId;
    this.#afterSeq = subscription.afterSeq;
    if (subscription.deliveries) this.#deliveries = new Set();
  }

  send(event: string, data: unknown): void {
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends what changed since the last tick; the first only takes note of the runs the page will list. */
  async tick(first: boolean): Promise<void> {
    const runs = await this.store.listRuns({ limit: WATCHED_RUNS });
    if (this.#runId && !runs.some((r) => r.id === this.#runId)) {
      const run = await this.store.getRun(this.#runId);
      if (run) runs.push(run);
    }
    // Only the runs still watched are remembered, so a long-open page costs no more than a new one.
    const seen = new Map(this.#runs);
    this.#runs.clear();
    for (const run of runs.reverse()) this.#sendRun(run, seen, first && run.id !== this.#runId);
    if (this.#deliveries) await this.#sendDeliveries(this.#deliveries, first);
    if (!this.#runId) return;
    for (const job of await this.store.listJobs(this.#runId)) this.#sendJob(job);
    for (;;) {
      const logs: LogEntry[] = await this.store.readLogs({
        runId: this.#runId,
        afterSeq: this.#afterSeq,
        limit: LOG_PAGE,
      });
      if (logs.length === 0) break;
      this.#afterSeq = logs.at(-1)!.seq;
      this.send("logs", logs);
      if (logs.length < LOG_PAGE) break;
    }
  }

  #sendRun(run: Run, seen: ReadonlyMap<string, string>, quietly: boolean): void {
    // A cancel asked for is a change too: the run's page shows who asked, and offers cancel no more.
    const key = `${run.status} ${run.finishedAt ?? ""} ${run.cancelRequestedBy ?? ""}`;
    this.#runs.set(run.id, key);
    if (seen.get(run.id) !== key && !quietly) this.send("run", run);
  }

  async #sendDeliveries(sent: Set<string>, first: boolean): Promise<void> {
    const newest = await this.store.listDeliveries({ limit: WATCHED_DELIVERIES });
    const ids = new Set(newest.map((d) => d.id));
    for (const delivery of newest.reverse())
      if (!sent.has(delivery.id) && !first) this.send("delivery", deliverySummary(delivery));
    // Only the newest are remembered: one pushed out of them is never listed again.
    this.#deliveries = ids;
  }

  #sendJob(job: JobRecord): void {
    const key = [job.status, job.exitCode, job.startedAt, job.finishedAt].join(" ");
    if (this.#jobs.get(job.id) === key) return;
    this.#jobs.set(job.id, key);
    this.send("job", job);
  }
}
