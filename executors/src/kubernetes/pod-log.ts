/**
 * A job's log while it is written: `pods/{name}/log?follow=true` from the moment the watch sees the
 * job's container started, each chunk handed to the job's output (which decodes, redacts and keeps
 * it) as it arrives.
 *
 * Dropped streams. A follow can end early: the connection drops, or a proxy or the API server closes
 * it cleanly while the container still runs. The stream is then requested again, from the start of
 * the log, and the bytes already handed on are skipped: the log is one append-only byte sequence, so
 * a byte count says exactly where to pick up, mid-line or mid-character, without repeating or losing
 * anything. Resuming with `sinceTime` and `timestamps=true` was judged too fragile: the server
 * selects whole log entries by time, so a line cut in the middle is sent again and has to be matched
 * up; entries written in the same instant are ambiguous; the timestamps the kubelet puts before
 * every entry split long lines (written as several partial entries) and binary output, and would have
 * to be stripped back out byte-exactly. The price of the byte count is that what was already
 * received is received again after a drop (at most `limitBytes`), and that a log the kubelet rotates
 * while it is followed (beyond its containerLogMaxSize, 10 MiB by default, the size of the default
 * cap here) is not read back from its earlier files.
 *
 * The end. The kubelet ends a follow once the container has exited and its log has been read to the
 * end. A follow that ends without error while the latest pod status says the container has
 * terminated is therefore the whole log. Otherwise (still open when the pod has ended, past a bound;
 * ended before the container was seen to terminate; failed) the rest is read once without follow,
 * again skipping what was already handed on.
 *
 * Errors are not the job's: they are reported in the output as a `[bosun: ...]` line, and the job's
 * result still comes from the pod's status. 401, 403 and 404 are not retried; other failures are,
 * after a pause growing with each failure in a row without new output, up to `maxFailures`.
 */
import { ApiException } from "@kubernetes/client-node";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { JobOutput } from "../job-output.js";
import { apiError, statusOf } from "./errors.js";
import { containerEnded, hasStarted } from "./pod-outcome.js";

export interface PodLogOptions {
  kubeConfig: KubeConfig;
  /** The API server, as error messages name it. */
  server: string;
  namespace: string;
  name: string;
  container: string;
  /** The most log read, in bytes (the API's limitBytes, counted from the start of the log). */
  maxBytes: number;
  output: JobOutput;
  /** Aborted when the job must stop: the stream ends at once, nothing more is read. */
  signal: AbortSignal;
  /** Pause before asking again after a failed or early-ended stream, growing with failures in a row. */
  retryDelayMs: number;
  /** Failed streams in a row (without new output) before following is given up. */
  maxFailures: number;
}

/** Refusals that asking again will not change. */
const FINAL_STATUSES = new Set([401, 403, 404]);
/** The most of an error response kept for its message. */
const MAX_ERROR_BODY = 64 * 1024;

export class PodLog {
  private readonly o: PodLogOptions;
  /** Bytes of the log handed to the output so far, counted from its start. */
  private consumed = 0;
  private loop: Promise<void> | undefined;
  /** Ends the stream under way and every pause; set by the job's signal or by close(). */
  private readonly halt = new AbortController();
  private current: AbortController | undefined;
  private wake: (() => void) | undefined;
  /** The latest pod status seen says the job's container has terminated. */
  private terminated = false;
  private podEnded = false;
  /** Everything up to the end of the log (or up to maxBytes) has been handed on. */
  private complete = false;
  /** Asking again is pointless (a refusal): no final read either. */
  private refused = false;
  private readonly onAbort = () => this.stop();

  constructor(options: PodLogOptions) {
    this.o = options;
    if (options.signal.aborted) this.stop();
    else options.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Every pod status the watch sees: following starts once the job's container has started. */
  observe(pod: V1Pod): void {
    this.terminated ||= containerEnded(pod);
    if (!this.loop && !this.halt.signal.aborted && hasStarted(pod)) this.loop = this.follow();
  }

  /**
   * The pod has ended: waits (at most `drainMs`) for the stream to end with the container, then
   * reads whatever is still missing without follow.
   */
  async finish(pod: V1Pod, drainMs: number): Promise<void> {
    this.observe(pod);
    this.podEnded = true;
    this.wake?.();
    try {
      if (!this.loop) return;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([this.loop, bound]);
      clearTimeout(timer);
      if (this.complete || this.refused || this.halt.signal.aborted) return;
      // Still open past the bound, or ended without the whole log: the rest comes from one plain read.
      this.current?.abort();
      await this.loop;
      if (!this.halt.signal.aborted && !this.complete) await this.readRest();
    } finally {
      await this.close();
    }
  }

  /** Ends the stream (cancellation, timeout, a pod that is gone) and waits until it has. Idempotent. */
  async close(): Promise<void> {
    this.stop();
    this.o.signal.removeEventListener("abort", this.onAbort);
    await this.loop;
  }

  private stop(): void {
    this.halt.abort();
    this.current?.abort();
    this.wake?.();
  }

  private async follow(): Promise<void> {
    let failures = 0;
    while (!this.halt.signal.aborted && !this.podEnded) {
      const before = this.consumed;
      let error: unknown;
      try {
        await this.read(true);
      } catch (err) {
        error = err;
      }
      if (this.halt.signal.aborted) return;
      if (this.consumed >= this.o.maxBytes) {
        // The server stops at limitBytes; there is no more to come.
        this.complete = true;
        return;
      }
      if (error === undefined) {
        if (this.terminated) {
          this.complete = true;
          return;
        }
        // Ended while the container was (as far as known) still running: closed by the server or a
        // proxy, or it just exited. Ask again after a pause, unless the watch says it ended meanwhile.
        await this.pause(this.o.retryDelayMs);
        continue;
      }
      const status = statusOf(error);
      if (status !== undefined && FINAL_STATUSES.has(status)) {
        this.refused = true;
        return this.report(error, "following");
      }
      // The pod has ended (and finish() may have cut the stream): finish() reads what is missing.
      if (this.podEnded) return;
      failures = this.consumed > before ? 0 : failures + 1;
      if (failures >= this.o.maxFailures) return this.report(error, "following");
      // A drop after new output is picked up at once; failures in a row wait longer each time.
      await this.pause(this.o.retryDelayMs * failures);
    }
  }

  /** What is missing after the stream, in one read without follow; a failure is a line in the output. */
  private async readRest(): Promise<void> {
    try {
      await this.read(false);
      this.complete = true;
    } catch (err) {
      if (!this.halt.signal.aborted) this.report(err, "fetching");
    }
  }

  /** One request for the log from its start; the bytes past `consumed` go to the output. */
  private async read(follow: boolean): Promise<void> {
    const controller = new AbortController();
    this.current = controller;
    if (this.halt.signal.aborted) controller.abort();
    try {
      const res = await openLog(this.o, follow, controller.signal);
      let at = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const skip = this.consumed - at;
        at += chunk.length;
        if (skip >= chunk.length) continue;
        const fresh = skip > 0 ? chunk.subarray(skip) : chunk;
        this.consumed += fresh.length;
        this.o.output.write("stdout", fresh);
      }
    } finally {
      if (this.current === controller) this.current = undefined;
    }
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.halt.signal.aborted || this.podEnded) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private report(err: unknown, doing: "following" | "fetching"): void {
    const what = `${doing} the log of pod ${this.o.name}`;
    const message = apiError(err, what, this.o.server).message;
    this.o.output.write("stderr", Buffer.from(`[bosun: ${message}]\n`, "utf8"));
  }
}

/**
 * GET pods/{name}/log, through the kubeconfig's own agent, credentials and TLS settings: the body as
 * a stream once the server answered 200, an ApiException with the server's Status otherwise.
 * (client-node's Log class drops the server's message from errors, turns every network failure into
 * a 500 and leaves a stream that fails midway without a listener, so the request is made here.)
 */
async function openLog(o: PodLogOptions, follow: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  const cluster = o.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig names no current cluster");
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.name)}/log`;
  const url = new URL(cluster.server.replace(/(?<!\/)\/+$/, "") + path);
  url.searchParams.set("container", o.container);
  if (follow) url.searchParams.set("follow", "true");
  url.searchParams.set("limitBytes", String(o.maxBytes));
  const options: https.RequestOptions = {};
  await o.kubeConfig.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { ...options, method: "GET", signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8");
        const headers = Object.fromEntries(
          Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]),
        );
        reject(new ApiException(res.statusCode ?? 0, `HTTP ${res.statusCode}`, body, headers));
      });
    });
    req.on("error", reject);
    req.end();
  });
}
