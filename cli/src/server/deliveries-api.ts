/**
 * The delivery log over the API (`bosun deliveries`, `bosun explain`): what each webhook request
 * became and why, the runs that followed, redelivery, and the subscriptions' verdict on any push.
 * Mounted behind the API's admin token check.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import {
  REGISTRY_KINDS,
  compileSubscription,
  explainProject,
  type ProjectConfig,
  type RegistryKind,
} from "@bosun/core";
import type { Delivery, Store } from "@bosun/store";
import type { Answer, Redelivery } from "@bosun/gateways";
import { sendError, sendProblems } from "./http-errors.js";
import { nextPage, readDeliveryQuery } from "./list-query.js";

export interface DeliveriesApiOptions {
  store: Store;
  projects(): readonly ProjectConfig[];
  /** Sends a recorded delivery through its gateway again; absent where this server has no gateways. */
  redeliver?(stored: Redelivery): Promise<{ answer: Answer; delivery?: string | undefined }>;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
const route = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

export function createDeliveriesRouter(options: DeliveriesApiOptions): express.Router {
  const { store } = options;
  const router = express.Router();
  const find = async (req: Request, res: Response): Promise<Delivery | undefined> => {
    const delivery = await store.getDelivery(String(req.params.id));
    if (!delivery) sendError(res, "NOT_FOUND", `no delivery ${String(req.params.id)}`);
    return delivery;
  };

  router.get(
    "/deliveries",
    route(async (req, res) => {
      const query = readDeliveryQuery(req.query);
      if (query.errors) return sendProblems(res, query.errors);
      const deliveries = await store.listDeliveries(query.value);
      const next = nextPage(deliveries, query.value.limit);
      res.json({ deliveries: deliveries.map(deliverySummary), ...(next ? { next } : {}) });
    }),
  );
  router.get(
    "/deliveries/:id",
    route(async (req, res) => {
      const delivery = await find(req, res);
      if (!delivery) return;
      const runs = await Promise.all(delivery.eventIds.map((eventId) => store.listRuns({ eventId })));
      res.json({ ...delivery, runs: runs.flat() });
    }),
  );
  router.get(
    "/deliveries/:id/explain",
    route(async (req, res) => {
      const delivery = await find(req, res);
      if (!delivery) return;
      const project = options.projects().find((p) => p.name === delivery.project);
      const now = project
        ? delivery.images.map((image) => ({ ...image, ...explain(project, delivery.registry, image) }))
        : undefined;
      const { id, outcome, project: name, registry, ignored, problem } = delivery;
      res.json({ id, outcome, project: name, registry, ignored, problem, configured: Boolean(project), now });
    }),
  );
  router.post(
    "/deliveries/:id/redeliver",
    route(async (req, res) => {
      if (!options.redeliver)
        return sendError(res, "NOT_FOUND", "this server has no gateways to redeliver through");
      const delivery = await find(req, res);
      if (!delivery) return;
      if (delivery.bodyTruncated)
        return sendError(
          res,
          "DELIVERY_TRUNCATED",
          `delivery ${delivery.id} kept only the first part of its body (server.deliveries.maxBodyBytes); it cannot be sent again`,
        );
      const { answer, delivery: replay } = await options.redeliver(delivery);
      const recorded = replay === undefined ? undefined : await store.getDelivery(replay);
      if (!recorded) return res.status(answer.status).json(answer.body);
      res
        .status(201)
        .json({ delivery: deliverySummary(recorded), answer: { status: answer.status, body: answer.body } });
    }),
  );
  router.post(
    "/explain",
    express.json(),
    route(async (req, res) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const missing = ["project", "registry", "repository"].filter((k) => typeof b[k] !== "string" || !b[k]);
      if (missing.length || (b.tag !== undefined && typeof b.tag !== "string"))
        return sendError(
          res,
          "PAYLOAD_MALFORMED",
          `explain needs project, registry and repository (strings) and an optional tag; missing: ${missing.join(", ") || "none"}`,
        );
      const registry = String(b.registry);
      if (!(REGISTRY_KINDS as readonly string[]).includes(registry))
        return sendError(
          res,
          "PAYLOAD_MALFORMED",
          `registry "${registry}" is not one of ${REGISTRY_KINDS.join(", ")}`,
        );
      const project = options.projects().find((p) => p.name === b.project);
      if (!project) return sendError(res, "NOT_FOUND", `no project "${String(b.project)}"`);
      const image = {
        repository: String(b.repository),
        ...(typeof b.tag === "string" ? { tag: b.tag } : {}),
      };
      res.json({ project: project.name, registry, ...image, ...explain(project, registry, image) });
    }),
  );
  return router;
}

/** The project's subscriptions as they are now, against one image. */
function explain(project: ProjectConfig, registry: string, image: { repository: string; tag?: string }) {
  const subscriptions = project.subscriptions.map(compileSubscription);
  const verdict = explainProject(subscriptions, { registry: registry as RegistryKind, ...image });
  return {
    takes: verdict.takes,
    subscriptions: verdict.subscriptions.map((v, i) => ({ subscription: project.subscriptions[i], ...v })),
    reasons: verdict.reasons,
  };
}

/** A delivery as listings (and the live stream) show it: without its body, which may be large. */
export function deliverySummary(d: Delivery): Omit<Delivery, "body"> {
  const { body: _body, ...rest } = d;
  return rest;
}
