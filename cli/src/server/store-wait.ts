/**
 * Starting while PostgreSQL is unreachable, as when a database comes up after Bosun on Kubernetes: the
 * process listens at once (alive on /healthz; 503 with Retry-After on /readyz, webhooks and the rest,
 * so registries send again) and opens the store with backoff until it works. What retrying cannot fix
 * (authentication refused, a schema newer than this Bosun) ends the start at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { httpErrorOf, StoreSchemaTooNewError, StoreUnavailableError, type ServerConfig } from "@bosun/core";
import { describeServer } from "@bosun/store";
import type { Logger } from "./logger.js";
import { openConfiguredStore, type OpenedStore } from "./open-store.js";
import { serverTimeouts } from "./server.js";

export interface StoreWaitOptions {
  /** Give up after this long; default: never. 0: one attempt, no waiting. */
  timeoutMs?: number;
  /** The pause after the first failed attempt; it doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface OpenedOrWaited {
  store: OpenedStore;
  /** The server that answered while waiting, already listening: startServer takes it over. */
  listening?: Server;
}

/** SQLSTATE class 28: invalid authorization (a wrong password or user); retrying changes nothing. */
const AUTHORIZATION = /^28/;

export function retryable(err: unknown): boolean {
  if (err instanceof StoreSchemaTooNewError || !(err instanceof StoreUnavailableError)) return false;
  for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
    const { code } = cause as Error & { code?: unknown };
    if (typeof code === "string" && AUTHORIZATION.test(code)) return false;
  }
  return true;
}

const NOT_YET = "The store has not opened yet; Bosun keeps trying. The server log says why.";

function answerWaiting(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
    return;
  }
  const { status, headers } = httpErrorOf("STORE_UNAVAILABLE");
  res
    .writeHead(status, { ...headers, "content-type": "application/json", connection: "close" })
    .end(JSON.stringify({ status: "unavailable", error: { code: "STORE_UNAVAILABLE", message: NOT_YET } }));
}

async function listenWaiting(config: ServerConfig): Promise<{ server: Server; url: string }> {
  const server = createServer(serverTimeouts(config), answerWaiting);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}` };
}

/**
 * Opens the configured store; on PostgreSQL, while it cannot be reached, listens (calling onListening
 * with the URL) and tries again with backoff, each failure logged once with the server's
 * host:port/database (never the URL, which may hold a password).
 */
export async function openStoreWaiting(
  config: ServerConfig,
  logger: Logger,
  onListening: (url: string) => void,
  options: StoreWaitOptions = {},
): Promise<OpenedOrWaited> {
  const timeoutMs = options.timeoutMs ?? Infinity;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let delayMs = options.initialDelayMs ?? 500;
  const started = Date.now();
  let waiting: Server | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return { store: await openConfiguredStore(config, logger), ...(waiting ? { listening: waiting } : {}) };
    } catch (err) {
      const elapsed = Date.now() - started;
      if (!config.store || !retryable(err) || elapsed >= timeoutMs) {
        await new Promise<void>((resolve) => (waiting ? waiting.close(() => resolve()) : resolve()));
        if (retryable(err) && timeoutMs > 0) {
          const seconds = Math.round(elapsed / 1000);
          throw new StoreUnavailableError(`${(err as Error).message} (gave up after ${seconds}s)`, {
            cause: err,
          });
        }
        throw err;
      }
      const pause = Math.min(delayMs, maxDelayMs, timeoutMs - elapsed);
      logger.warn(
        { store: describeServer(config.store.url), attempt, retryInMs: pause, error: (err as Error).message },
        "the store cannot be opened yet; trying again",
      );
      if (!waiting) {
        const listening = await listenWaiting(config);
        waiting = listening.server;
        onListening(listening.url);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      delayMs *= 2;
    }
  }
}
