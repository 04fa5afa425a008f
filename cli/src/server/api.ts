/**
 * The HTTP API under /api/v1: what the CLI and the dashboard read. Every route needs the admin token,
 * or a read-only token (server.readOnlyTokens), which may GET anything (and POST /explain, a question) and change nothing.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { acceptsEvent, secretsEqual, type ProjectConfig } from "@bosun/core";
import { type Store, type StoredEvent } from "@bosun/store";
import { credentialsOf } from "@bosun/gateways";
import { createCredentialsRouter, type ServerCredentials } from "./credentials-api.js";
import { createRegistriesRouter, type RegistriesApiOptions } from "./registries-api.js";
import { createDeliveriesRouter, type DeliveriesApiOptions } from "./deliveries-api.js";
import { readEventRequest } from "./event-request.js";
import { failureHandler, sendError, sendProblems } from "./http-errors.js";
import type { ProjectCatalog } from "./projects/catalog.js";
import { createProjectRoutes } from "./projects/routes.js";
import { nextPage, readEventQuery, readRunQuery } from "./list-query.js";
import { runActionRoutes } from "./run-actions.js";
import { ChangeSignal } from "./live/changes.js";
import { streamHandler } from "./live/stream.js";

export interface ApiOptions {
  store: Store;
  adminToken: string;
  /** Tokens that may read (GET, HEAD) but every other method answers 403 READ_ONLY_TOKEN. */
  readOnlyTokens?: readonly string[];
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
  /** Watched registries (`bosun registries`, `bosun poll now`); absent: those routes answer 404. */
  registries?: Omit<RegistriesApiOptions, "store">;
  /** The most a JSON body of the API may be (an event's payload is in it); absent: 100 KiB. */
  bodyLimitBytes?: number;
  /** Projects made through the API (add, update, remove, export); without it, those routes are absent. */
  catalog?: ProjectCatalog;
  /** The webhooks kept for projects made through the API: how each is shown, and who is told of a change. */
  webhooks?: { viewOf(project: string): unknown; publicUrl?: string; changed(): void };
  /** Wakes the live stream (GET /stream) when this process writes; absent: it polls only. */
  changes?: ChangeSignal;
  /** How often the live stream reads the store when this process wrote nothing (default 1 s). */
  streamPollMs?: number;
  /** Told about every error a route threw (answered 503 for the store, else 500). */
  onError?: (err: unknown) => void;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** POSTs that only read (a question with a body), which a read-only token may ask too. */
const READS_BY_POST = new Set(["/explain"]);

export function createApiRouter(options: ApiOptions): express.Router {
  const { store } = options;
  const api = express.Router();
  api.use((req, res, next) => {
    const access = accessOf(req.headers.authorization, options);
    if (!access) {
      return sendError(
        res,
        "UNAUTHORIZED",
        "missing or wrong admin token: pass it as `Authorization: Bearer <token>` (bosun --token, or BOSUN_TOKEN)",
      );
    }
    if (access === "read" && req.method !== "GET" && req.method !== "HEAD" && !READS_BY_POST.has(req.path))
      return sendError(
        res,
        "READ_ONLY_TOKEN",
        "this token is read-only: only the admin token may change anything",
      );
    res.locals.access = access;
    // Who asks, as recorded on the runs a request makes or cancels: the kind of token that passed.
    res.locals.requester = access === "admin" ? "admin" : "read-only";
    next();
  });
  if (options.credentials) api.use(createCredentialsRouter(options.credentials, options.projects));
  const managedBy = (name: string) => options.catalog?.managedBy(name) ?? "file";
  const view = (p: ProjectConfig) => ({
    ...projectView(p),
    managedBy: managedBy(p.name),
    ...(options.webhooks ? { webhook: options.webhooks.viewOf(p.name) } : {}),
  });
  if (options.catalog)
    api.use(
      createProjectRoutes({
        store,
        catalog: options.catalog,
        sealer: options.credentials?.sealer,
        view,
        credentials: options.credentials?.store,
        publicUrl: options.webhooks?.publicUrl,
        changed: options.webhooks?.changed,
      }),
    );
  if (options.registries) api.use(createRegistriesRouter({ store, ...options.registries }));
  api.use(createDeliveriesRouter({ store, projects: options.projects, redeliver: options.redeliver }));
  const route = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);
  const limit = (req: Request) => Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);

  // Who is asking: the dashboard hides actions from a read-only token (the API refuses them anyway).
  api.get("/session", (_req, res) => res.json({ access: res.locals.access as string }));
  api.get(
    "/stream",
    streamHandler({
      store,
      changes: options.changes ?? new ChangeSignal(),
      pollMs: options.streamPollMs,
      onError: options.onError,
    }),
  );
  api.get(
    "/health",
    route(async (_req, res) => {
      const storeHealth = await store.ping().then(
        () => ({ status: "ok" }),
        () => ({ status: "unavailable" }),
      );
      const queue = await store.queueDepth().catch(() => undefined);
      res.json({ store: storeHealth, ...(queue ? { queue } : {}) });
    }),
  );
  api.get(
    "/projects",
    route(async (_req, res) => res.json({ projects: options.projects().map(view) })),
  );
  api.get(
    "/projects/:name",
    route(async (req, res) => {
      const p = options.projects().find((x) => x.name === req.params.name);
      return p ? res.json(view(p)) : sendError(res, "NOT_FOUND", `no project "${String(req.params.name)}"`);
    }),
  );
  api.get(
    "/events",
    route(async (req, res) => {
      const query = readEventQuery(req.query);
      if (query.errors) return sendProblems(res, query.errors);
      const events = await store.listEvents(query.value);
      res.json({ events: events.map(eventSummary), ...page(events, query.value.limit) });
    }),
  );
  // An event of any source and type, for a project whose `events` take it; the worker runs it like a push.
  api.post(
    "/events",
    express.json({ limit: options.bodyLimitBytes ?? 100 * 1024 }),
    route(async (req, res) => {
      const read = readEventRequest(req.body);
      if (read.errors) return sendProblems(res, read.errors);
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
      const query = readRunQuery(req.query);
      if (query.errors) return sendProblems(res, query.errors);
      const runs = await store.listRuns(query.value);
      res.json({ runs, ...page(runs, query.value.limit) });
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
      let runId = run.id;
      if (jobId) {
        const job = (await store.listJobs(run.id)).find((j) => j.id === jobId || j.name === jobId);
        if (!job) return sendError(res, "NOT_FOUND", `run ${run.id} has no job "${jobId}"`);
        // A job a retry reused did not run here: its logs are those of the job that ran.
        ({ runId, jobId } = job.reusedFrom ?? { runId, jobId: job.id });
      }
      const logs = await store.readLogs({
        runId,
        jobId,
        afterSeq: Number(req.query.after ?? 0) || 0,
        limit: limit(req),
      });
      res.json({ run: { id: run.id, status: run.status }, logs });
    }),
  );
  runActionRoutes(api, store, route);
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

/** A listing's cursor: `next` is the `before` of the following page, present when this one is full. */
function page(list: readonly { id: string }[], limit: number | undefined): { next?: string } {
  const next = nextPage(list, limit);
  return next === undefined ? {} : { next };
}

/** 400 with the first problem as the error, and every problem listed. */
/** Which token was given: "admin", "read" (a read-only token), or undefined (none, or a wrong one). */
export function accessOf(
  authorization: string | undefined,
  tokens: Pick<ApiOptions, "adminToken" | "readOnlyTokens">,
): "admin" | "read" | undefined {
  const given = credentialsOf(authorization, "Bearer") ?? "";
  if (!given) return undefined;
  if (secretsEqual(given, tokens.adminToken)) return "admin";
  // Every token is compared, so the time taken does not say which one matched.
  let read = false;
  for (const token of tokens.readOnlyTokens ?? []) read = secretsEqual(given, token) || read;
  return read ? "read" : undefined;
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
    ...(p.serviceAccount === undefined ? {} : { serviceAccount: p.serviceAccount }),
    secretNames: Object.keys(p.secrets),
  };
}

/** Listings leave the raw payload out: it is large, and only `events show` needs it. */
function eventSummary(e: StoredEvent) {
  const { payload: _payload, ...rest } = e;
  return rest;
}
