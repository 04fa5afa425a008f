/**
 * HTTP over the engine's unix socket with `node:http` (no client library: the API surface used is
 * small and a library would hide the streaming details the executor relies on). Every failure leaves
 * here as a BosunError: EXECUTOR_UNAVAILABLE when the engine cannot be reached, DockerApiError when
 * it answered with an error status.
 */
import { BosunError } from "@bosun/core";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

/** The Docker API version spoken; Docker >= 20.10 and Podman's compatible service (4.x) accept it. */
export const DOCKER_API_VERSION = "v1.41";

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiRequest {
  method: "GET" | "POST" | "DELETE";
  /** Path under the version prefix, e.g. "/containers/create". */
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Limit for the whole exchange; 0 for none (long polls and streams). Default: the transport's. */
  timeoutMs?: number;
  /** Prefix instead of the Docker API version (Podman's own API lives under "/v4.0.0/libpod"). */
  prefix?: string;
}

/** The engine answered with an error status. */
export class DockerApiError extends BosunError {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super("INTERNAL", message);
    this.name = "DockerApiError";
    this.statusCode = statusCode;
  }
}

export interface TransportOptions {
  socketPath: string;
  timeoutMs?: number;
}

export class DockerTransport {
  readonly socketPath: string;
  private readonly timeoutMs: number;
  // Keep-alive saves a connect per call; long polls (wait, attach, pull) each hold their own socket.
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 4 });

  constructor(options: TransportOptions) {
    this.socketPath = options.socketPath;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Resolves with the response once its status is known to be a success; the body is the caller's. */
  async stream(req: ApiRequest): Promise<IncomingMessage> {
    const { res } = await this.send(req, false);
    return res;
  }

  async json<T>(req: ApiRequest): Promise<T> {
    const { res, done } = await this.send(req, false);
    try {
      const text = await readBody(res);
      return (text ? JSON.parse(text) : undefined) as T;
    } finally {
      done();
    }
  }

  /** For calls whose answer has no useful body (204s). */
  async call(req: ApiRequest): Promise<void> {
    const { res, done } = await this.send(req, false);
    try {
      await readBody(res);
    } finally {
      done();
    }
  }

  /**
   * An HTTP upgrade (attach): the engine answers 101 and the socket then carries the raw stream.
   * A fresh connection is used, since an upgraded socket never returns to the pool.
   */
  async upgrade(req: ApiRequest): Promise<Readable> {
    const { socket } = await this.send(req, true);
    if (!socket) throw new BosunError("EXECUTOR_UNAVAILABLE", `${req.path}: the engine did not upgrade`);
    return socket;
  }

  close(): void {
    this.agent.destroy();
  }

  private url(req: ApiRequest): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${req.prefix ?? `/${DOCKER_API_VERSION}`}${req.path}${qs ? `?${qs}` : ""}`;
  }

  private send(
    req: ApiRequest,
    upgrade: boolean,
  ): Promise<{ res: IncomingMessage; socket?: Readable; done: () => void }> {
    const path = this.url(req);
    const what = `${req.method} ${path}`;
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { ...req.headers };
    if (body) headers["Content-Type"] = "application/json";
    if (upgrade) Object.assign(headers, { Connection: "Upgrade", Upgrade: "tcp" });

    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) return reject(abortError(req.signal));
      const r = http.request({
        socketPath: this.socketPath,
        path,
        method: req.method,
        headers,
        agent: upgrade ? false : this.agent,
      });
      let settled = false;
      const limit = req.timeoutMs ?? this.timeoutMs;
      const timer =
        limit > 0
          ? setTimeout(() => {
              r.destroy(
                new BosunError(
                  "EXECUTOR_UNAVAILABLE",
                  `${what}: the engine did not answer within ${limit} ms`,
                ),
              );
            }, limit)
          : undefined;
      const onAbort = () => r.destroy(abortError(req.signal));
      req.signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => {
        if (timer) clearTimeout(timer);
        req.signal?.removeEventListener("abort", onAbort);
      };
      const fail = (err: unknown) => {
        done();
        if (!settled) {
          settled = true;
          reject(this.transportError(err, what, req.signal));
        }
      };
      r.on("error", fail);
      r.on("upgrade", (res, socket, head) => {
        done();
        settled = true;
        if (head.length > 0) socket.unshift(head);
        resolve({ res, socket, done });
      });
      r.on("response", (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          readBody(res).then(
            (text) => fail(new DockerApiError(status, `${what}: ${status} ${engineMessage(text)}`)),
            fail,
          );
          return;
        }
        if (upgrade) {
          // Some engines answer an attach with a plain 200 and stream the body instead.
          settled = true;
          done();
          resolve({ res, socket: res, done });
          return;
        }
        settled = true;
        // The caller reads the body; errors while reading surface on the response stream.
        res.on("error", () => done());
        res.on("end", done);
        resolve({ res, done });
      });
      r.end(body);
    });
  }

  private transportError(err: unknown, what: string, signal: AbortSignal | undefined): unknown {
    if (err instanceof BosunError) return err;
    if (signal?.aborted) return abortError(signal);
    const detail = err instanceof Error ? err.message : String(err);
    return new BosunError(
      "EXECUTOR_UNAVAILABLE",
      `the container engine at ${this.socketPath} is unreachable (${what}: ${detail})`,
      [],
      { cause: err },
    );
  }
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("aborted", "AbortError");
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Docker and Podman both answer errors as {"message": "..."}. */
function engineMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: use the text itself
  }
  return text.trim().slice(0, 500) || "(no message)";
}
