/**
 * HTTP bindings of the gateway: a plain node:http handler for the webhook routes (the hot path skips
 * express's router), and an express router that delegates to it for servers built on express.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Router } from "express";
import type { DeliveryLogConfig, ProjectConfig } from "@bosun/core";
import type { Store } from "@bosun/store";
import type { RegistryGateway } from "../registry.js";
import { type Answer, errorAnswer } from "./answers.js";
import { readBodyWithin } from "./body.js";
import { type GatewayErrorContext, handleDelivery } from "./delivery.js";
import { webhookHandshakeAnswer } from "./handshake.js";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface GatewayRouterOptions {
  /** Where accepted events are committed before the registry gets its 2xx. */
  store: Store;
  /** The registries this router serves; others get 404 (`bosun gateway --registry acr` passes one). */
  registries: readonly RegistryGateway[];
  findProject(name: string): ProjectConfig | undefined;
  /** Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Pushes one request may report before it is refused with 413; default 100. */
  maxEventsPerRequest?: number;
  /** How long a digest-only push waits for its tagged one; default DIGEST_ONLY_HOLD_MS (10 s). */
  digestHoldMs?: number;
  /** The delivery log's bounds; default 10000 deliveries, 64 KiB of each body. */
  deliveryLog?: DeliveryLogConfig;
  /** Told about every 5xx answer; the context never holds the URL or headers, which carry the token. */
  onError?: (error: unknown, context: GatewayErrorContext) => void;
  /** Told about every client that went away (or was cut off) before its body arrived. */
  onAborted?: (context: GatewayErrorContext) => void;
  /** Told about every answer, for metrics. */
  onAnswer?: (registry: string, answer: Answer) => void;
}

/** Handles a request when it is a webhook (`POST /events/...`) and returns true; otherwise false. */
export type GatewayHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * `POST /events/<registry>/<project>`, and Brigade v1's `POST /events/dockerhub/<project>/<commit>`
 * (the commit is accepted and not used).
 */
export function createGatewayHandler(options: GatewayRouterOptions): GatewayHandler {
  const deps = {
    store: options.store,
    registries: options.registries,
    findProject: options.findProject,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    maxEventsPerRequest: options.maxEventsPerRequest,
    digestHoldMs: options.digestHoldMs,
    deliveryLog: options.deliveryLog,
    onError: options.onError,
    onAborted: options.onAborted,
  };
  return (request, response) => {
    if (!request.url?.startsWith("/events/")) return false;
    if (request.method === "OPTIONS") return answerHandshake(options, request, response);
    if (request.method !== "POST") return false;
    const { segments, query } = eventsPath(request.url);
    const [registry, project, commit, ...extra] = segments.map(decodeSegment);
    const fits = extra.length === 0 && (commit === undefined || registry === "dockerhub");
    if (!fits || !registry || !project || segments.some((s) => decodeSegment(s) === undefined)) {
      send(
        response,
        errorAnswer({
          code: "NOT_FOUND",
          message: "Send events to POST /events/<registry>/<project>.",
        }),
      );
      return true;
    }
    void handleDelivery(deps, {
      registry,
      project,
      head: {
        headers: request.headers,
        query: new URLSearchParams(query),
      },
      readBody: (limit) => readBodyWithin(request, limit),
    }).then((answer) => {
      options.onAnswer?.(registry, answer);
      // Nobody is there to read it; the socket is already closed or half-closed by the client.
      if (answer.aborted) response.destroy();
      else send(response, answer);
    });
    return true;
  };
}

/**
 * `OPTIONS /events/<registry>/<project>` for registries that send the CloudEvents webhook handshake;
 * other OPTIONS requests are left to the server, as before.
 */
function answerHandshake(
  options: GatewayRouterOptions,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const [registry, project, ...extra] = eventsPath(request.url ?? "").segments;
  const gateway = options.registries.find((g) => g.kind === registry);
  if (!gateway?.answersWebhookHandshake || !project || extra.length > 0) return false;
  const answer = webhookHandshakeAnswer(gateway, request.headers);
  options.onAnswer?.(gateway.kind, answer);
  send(response, answer);
  return true;
}

/** The path segments after `/events/`, still encoded, and the query string. */
function eventsPath(url: string): { segments: string[]; query: string } {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  return {
    segments: path.slice("/events/".length).split("/"),
    query: queryAt === -1 ? "" : url.slice(queryAt + 1),
  };
}

/** The same routes as express middleware; mount it before any body parser (it reads the raw body). */
export function createGatewayRouter(options: GatewayRouterOptions): Router {
  const handle = createGatewayHandler(options);
  const router = Router();
  router.use((request, response, next) => {
    if (!handle(request, response)) next();
  });
  return router;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}
