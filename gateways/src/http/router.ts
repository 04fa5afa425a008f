/** Express binding of the gateway: routes, and the translation of requests and answers. */
import type { NextFunction, Request, Response } from "express";
import { Router } from "express";
import type { ProjectConfig, Store } from "@bosun/core";
import type { RegistryGateway } from "../registry.js";
import type { Answer } from "./answers.js";
import { errorAnswer } from "./answers.js";
import { readBodyWithin } from "./body.js";
import type { GatewayErrorContext } from "./delivery.js";
import { handleDelivery } from "./delivery.js";

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface GatewayRouterOptions {
  /** Where accepted events are committed before the registry gets its 2xx. */
  store: Store;
  /** The registries this router serves; others get 404 (`bosun gateway --registry acr` passes one). */
  registries: readonly RegistryGateway[];
  findProject(name: string): ProjectConfig | undefined;
  /** Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Told about every 5xx answer; the context never holds the URL or headers, which carry the token. */
  onError?: (error: unknown, context: GatewayErrorContext) => void;
  /** Told about every answer, for metrics. */
  onAnswer?: (registry: string, answer: Answer) => void;
}

/**
 * `POST /events/<registry>/<project>`, and Brigade v1's `POST /events/dockerhub/<project>/<commit>`
 * (the commit is accepted and not used). Mount it before any body parser: it reads the raw body itself.
 */
export function createGatewayRouter(options: GatewayRouterOptions): Router {
  const deps = {
    store: options.store,
    registries: options.registries,
    findProject: options.findProject,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    onError: options.onError,
  };
  const serve = async (request: Request, response: Response, registry: string, project: string) => {
    const answer = await handleDelivery(deps, {
      registry,
      project,
      head: { headers: request.headers, query: queryOf(request) },
      readBody: (limit) => readBodyWithin(request, limit),
    });
    options.onAnswer?.(registry, answer);
    send(response, answer);
  };

  const router = Router();
  router.post("/events/dockerhub/:project/:commit", (request, response) =>
    serve(request, response, "dockerhub", request.params.project),
  );
  router.post("/events/:registry/:project", (request, response) =>
    serve(request, response, request.params.registry, request.params.project),
  );
  // Errors raised by routing itself, such as a path that is not valid percent-encoding.
  router.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    send(
      response,
      errorAnswer(404, {
        code: "NOT_FOUND",
        message: "The request path could not be read. Send events to /events/<registry>/<project>.",
      }),
    );
  });
  return router;
}

function queryOf(request: Request): URLSearchParams {
  const at = request.originalUrl.indexOf("?");
  return new URLSearchParams(at === -1 ? "" : request.originalUrl.slice(at + 1));
}

function send(response: Response, answer: Answer): void {
  response.status(answer.status);
  if (answer.headers) response.set(answer.headers);
  response.json(answer.body);
}
