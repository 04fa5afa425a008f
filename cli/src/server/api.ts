/** The HTTP API under /api/v1: what the CLI and dashboards read. Every route needs the admin token. */
import express, { type NextFunction, type Request, type Response } from "express";
import { acceptsEvent, errorBody, httpErrorOf, secretsEqual, type ProjectConfig } from "@bosun/core";
import { type Store, type StoredEvent } from "@bosun/store";
import { credentialsOf } from "@bosun/gateways";
import { createCredentialsRouter, type ServerCredentials } from "./credentials-api.js";
import { createDeliveriesRouter, type DeliveriesApiOptions } from "./deliveries-api.js";
import { readEventRequest } from "./event-request.js";
import { failureHandler, sendError } from "./http-errors.js";

export interface ApiOptions {
  store: Store;
  adminToken: string;
  projects(): readonly ProjectConfig[];
  /** Synthesises a registry push for a project and sends it through that registry's gateway. */
  trigger?(input: {
    project: string;
    registry: string;
    repository: string;
    tag: string;
  }): Promise<{ status: number; headers?: Record<string, string>; body: unknown }>;
  /** Sends a recorded delivery through its gateway again (`bosun deliveries redeliver`). */
  redeliver?: DeliveriesApiOptions["redeliver"];
  /** Registry and git logins (`bosun login`); without them, those routes are absent. */
  credentials?: Pick<ServerCredentials, "store" | "sealer">;
  /** The most a JSON body of the API may be (an event's payload is in it); absent: 100 KiB. */
  bodyLimitBytes?: number;
  /** Told about every error a route threw (answered 503 for the store, else 500). */
  onError?: (err: unknown) => void;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

export function createApiRouter(options: ApiOptions): express.Router {
  const { store } = options;
  const api = express.Router();
  api.use((req, res, next) => {
    const given = credentialsOf(req.headers.authorization, "Bearer") ?? "";
    if (!given || !secretsEqual(given, options.adminToken)) {
      return sendError(
        res,
        "UNAUTHORIZED",
        "missing or wrong admin token: pass it as `Authorization: Bearer <token>` (bosun --token, or BOSUN_TOKEN)",
      );
    }
    next();
  });
  if (options.credentials) api.use(createCredentialsRouter(options.credentials, options.projects));
  api.use(createDeliveriesRouter({ store, projects: options.projects, redeliver: options.redeliver }));
  const route = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);
  const limit = (req: Request) => Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);

  api.get(
    "/projects",
    route(async (_req, res) => res.json({ projects: options.projects().map(projectView) })),
  );
  api.get(
    "/projects/:name",
    route(async (req, res) => {
      const p = options.projects().find((x) => x.name === req.params.name);
      return p
        ? res.json(projectView(p))
        : sendError(res, "NOT_FOUND", `no project "${String(req.params.name)}"`);
    }),
  );
  api.get(
    "/events",
    route(async (req, res) => {
      const events = await store.listEvents({ project: str(req.query.project), limit: limit(req) });
      res.json({ events: events.map(eventSummary) });
    }),
  );
  // An event of any source and type, for a project whose `events` take it; the worker runs it like a push.
  api.post(
    "/events",
    express.json({ limit: options.bodyLimitBytes ?? 100 * 1024 }),
    route(async (req, res) => {
      const read = readEventRequest(req.body);
      if (read.errors) {
        const first = read.errors[0]!;
        return res.status(httpErrorOf(first.code).status).json({
          ...errorBody(first),
          problems: read.errors.map((p) => errorBody(p).error),
        });
      }
      const { project: name, event } = read.value;
      const project = options.projects().find((p) => p.name === name);
      if (!project) return sendError(res, "NOT_FOUND", `no project "${name}"`);
      if (!acceptsEvent(project.events, event.source, event.type))
        return sendError(
          res,
          "EVENT_NOT_SUBSCRIBED",
          `project "${name}" does not take ${event.source} events of type "${event.type}": ` +
            `add { source: "${event.source}", types: ["${event.type}"] } to its events (docs/configuration.md)`,
        );
      const { accepted } = await store.acceptEvents([event]);
      res.status(201).json({ event: eventSummary(accepted[0]!) });
    }),
  );
  api.get(
    "/events/:id",
    route(async (req, res) => {
      const e = await store.getEvent(String(req.params.id));
      return e ? res.json(e) : sendError(res, "NOT_FOUND", `no event ${String(req.params.id)}`);
    }),
  );
  api.get(
    "/runs",
    route(async (req, res) => {
      res.json({
        runs: await store.listRuns({
          project: str(req.query.project),
          eventId: str(req.query.event),
          limit: limit(req),
        }),
      });
    }),
  );
  api.get(
    "/runs/:id",
    route(async (req, res) => {
      const run = await store.getRun(String(req.params.id));
      if (!run) return sendError(res, "NOT_FOUND", `no run ${String(req.params.id)}`);
      res.json({ ...run, jobs: await store.listJobs(run.id) });
    }),
  );
  api.get(
    "/runs/:id/logs",
    route(async (req, res) => {
      const run = await store.getRun(String(req.params.id));
      if (!run) return sendError(res, "NOT_FOUND", `no run ${String(req.params.id)}`);
      let jobId = str(req.query.job);
      if (jobId) {
        const job = (await store.listJobs(run.id)).find((j) => j.id === jobId || j.name === jobId);
        if (!job) return sendError(res, "NOT_FOUND", `run ${run.id} has no job "${jobId}"`);
        jobId = job.id;
      }
      const logs = await store.readLogs({
        runId: run.id,
        jobId,
        afterSeq: Number(req.query.after ?? 0) || 0,
        limit: limit(req),
      });
      res.json({ run: { id: run.id, status: run.status }, logs });
    }),
  );
  api.post(
    "/projects/:name/trigger",
    express.json(),
    route(async (req, res) => {
      if (!options.trigger)
        return sendError(res, "NOT_FOUND", "this server has no gateways to trigger through");
      const b = (req.body ?? {}) as Record<string, unknown>;
      const missing = ["registry", "repository", "tag"].filter((k) => typeof b[k] !== "string" || !b[k]);
      if (missing.length)
        return sendError(res, "PAYLOAD_MALFORMED", `trigger needs ${missing.join(", ")} (strings)`);
      const r = await options.trigger({
        project: String(req.params.name),
        registry: String(b.registry),
        repository: String(b.repository),
        tag: String(b.tag),
      });
      res
        .status(r.status)
        .set(r.headers ?? {})
        .json(r.body);
    }),
  );
  api.use(failureHandler(options.onError));
  return api;
}

function projectView(p: ProjectConfig) {
  return {
    name: p.name,
    script: p.script,
    dispatchfile: p.dispatchfile,
    subscriptions: p.subscriptions,
    events: p.events ?? [],
    executor: p.executor,
    concurrency: p.concurrency,
    secretNames: Object.keys(p.secrets),
  };
}

/** Listings leave the raw payload out: it is large, and only `events show` needs it. */
function eventSummary(e: StoredEvent) {
  const { payload: _payload, ...rest } = e;
  return rest;
}
