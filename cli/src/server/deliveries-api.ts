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
import type { Delivery, DeliveryOutcome, DeliveryQuery, Store } from "@bosun/store";
import type { Answer, Redelivery } from "@bosun/gateways";
import { sendError } from "./http-errors.js";
import { deliverySummary } from "./live/stream.js";

export interface DeliveriesApiOptions {
  store: Store;
  projects(): readonly ProjectConfig[];
  /** Sends a recorded delivery through its gateway again; absent where this server has no gateways. */
  redeliver?(stored: Redelivery): Promise<{ answer: Answer; delivery?: string | undefined }>;
}

const OUTCOMES: readonly DeliveryOutcome[] = ["accepted", "duplicate", "ignored", "rejected"];

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
      const query = deliveryQueryOf(req.query);
      if (typeof query === "string") return sendError(res, "PAYLOAD_MALFORMED", query);
      const deliveries = await store.listDeliveries(query);
      const last = deliveries.at(-1);
      const full = deliveries.length === query.limit && last;
      res.json({ deliveries: deliveries.map(deliverySummary), ...(full ? { next: last.id } : {}) });
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

/** The query string as a DeliveryQuery, or what is wrong with it. */
function deliveryQueryOf(q: Request["query"]): (DeliveryQuery & { limit: number }) | string {
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const outcome = str(q.outcome);
  if (outcome !== undefined && !OUTCOMES.includes(outcome as DeliveryOutcome))
    return `outcome "${outcome}" is not one of ${OUTCOMES.join(", ")}`;
  const query: DeliveryQuery & { limit: number } = {
    limit: Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 1000),
  };
  for (const key of ["project", "registry", "repository", "tag", "before"] as const) {
    const value = str(q[key]);
    if (value !== undefined) query[key] = value;
  }
  if (outcome !== undefined) query.outcome = outcome as DeliveryOutcome;
  for (const key of ["since", "until"] as const) {
    const value = str(q[key]);
    if (value === undefined) continue;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return `${key} "${value}" is not a time (RFC 3339, e.g. 2026-12-07T15:00:00Z)`;
    query[key] = new Date(at).toISOString();
  }
  return query;
}
