/**
 * `bosun serve`: gateways, API, health and metrics on one HTTP port, and a worker consuming the queue,
 * all over one store (embedded SQLite, or a PostgreSQL database several processes share). `bosun gateway` and `bosun worker` start the same pieces separately.
 */
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import express from "express";
import {
  StoreUnavailableError,
  httpErrorOf,
  type CredentialsReader,
  type ProjectConfig,
  type RegistryKind,
  type ServerConfig,
} from "@bosun/core";
import type { Store } from "@bosun/store";
import {
  createGatewayHandler,
  createRegistries,
  redeliver,
  type Answer,
  type GatewayErrorContext,
} from "@bosun/gateways";
import { Consumer } from "@bosun/worker";
import { Poller, RegistryPushVerifier } from "@bosun/watchers";
import { resolveAdminToken } from "./admin-token.js";
import { createApiRouter } from "./api.js";
import { dashboardRouter } from "./dashboard.js";
import { ChangeSignal, watchStore } from "./live/changes.js";
import { failureHandler, sendError } from "./http-errors.js";
import { setUpCredentials } from "./credentials-api.js";
import { prepareDataDir } from "./data-dir.js";
import { openConfiguredStore } from "./open-store.js";
import { createLogger, type Logger } from "./logger.js";
import { IngestPressure } from "./ingest-pressure.js";
import { countAnswer, createMetrics } from "./metrics.js";
import { missingSources } from "./missing-sources.js";
import { createRunDependencies } from "./run-dependencies.js";
import { createTrigger } from "./trigger.js";
import { startDeliveryPruning, startRetention } from "./retention.js";
import type { Poster } from "./callbacks.js";
import { startConfigReload, type ConfigFileSource } from "./config-reload/start.js";
import type { ConfigDiff } from "./config-reload/diff.js";
import { ProjectCatalog } from "./projects/catalog.js";
import { WebhookReconciler } from "./projects/webhook-reconciler.js";
import { webhookView } from "./projects/webhook-view.js";
import type { ReloadOutcome } from "./config-reload/reloader.js";

const NOT_READY = "The store cannot commit right now; pushes are answered 503. The server log says why.";

export interface StartOptions {
  /** Serve only these registries' gateways (default: all). */
  registries?: readonly RegistryKind[];
  /** Run the queue consumer in this process (default true). */
  worker?: boolean;
  /** Serve the gateways (default true). */
  gateways?: boolean;
  logger?: Logger;
  /** Sends registry callbacks (default fetch). */
  callbackPoster?: Poster;
  /** The file the config came from: watched, and re-read on change or `reloadConfig` (SIGHUP). */
  configFile?: ConfigFileSource;
  /** How often projects made through the API are read from the store (default PROJECT_REFRESH_MS). */
  projectRefreshMs?: number;
  /** How often the live stream reads the store when this process wrote nothing (default 1 s). */
  streamPollMs?: number;
}

/** A project added, changed or removed through another replica is live here within this. */
export const PROJECT_REFRESH_MS = 2_000;

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  adminToken: string;
  /** The projects' logins, opened with the server's credentials key (what the worker is given). */
  credentialsFor: CredentialsReader;
  consumer?: Consumer;
  /** Polls the watched registries (`registries` in bosun.yaml), in `bosun serve` and `bosun worker`. */
  poller?: Poller;
  /** Reads the config file again and applies it; undefined when the config came from no file. */
  reloadConfig(reason: string): Promise<ReloadOutcome | undefined>;
  /** Stops HTTP, hands runs in flight back to the queue, closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const notPrivate = await prepareDataDir(config.dataDir);
  if (notPrivate)
    logger.warn({ error: notPrivate.message }, "the data directory cannot be made private (0700)");
  const rawStore = await openConfiguredStore(config, logger);
  // The worker's, the API's and the gateways' view of the store tells the live stream of each
  // write, so a run, a log line or a delivery made here is sent at once.
  const changes = new ChangeSignal();
  const store = watchStore(rawStore, changes);
  const adminToken = await resolveAdminToken(config.dataDir, config.adminToken);
  const metrics = createMetrics();
  const credentials = setUpCredentials(
    config,
    store.credentials,
    logger,
    (name) => catalog.get(name)?.serviceAccount,
  );
  // The file's projects are replaced whole when it changes, the API's when the store says: every reader
  // looks a project up anew, a run keeps its own.
  const catalog = new ProjectCatalog(config.projects, store, credentials.sealer, logger);
  catalog.start(options.projectRefreshMs ?? PROJECT_REFRESH_MS);
  const reconciler = new WebhookReconciler({
    catalog,
    store: store.webhooks,
    credentials: store.credentials,
    sealer: credentials.sealer,
    publicUrl: config.publicUrl,
    logger,
  });
  reconciler.start();
  const findProject = (name: string) => catalog.get(name);
  const applyConfig = (next: ServerConfig, diff: ConfigDiff) => {
    catalog.setFileProjects(next.projects);
    const touched = new Set([...diff.added, ...diff.changed.map((c) => c.name)]);
    warnMissingSources(
      next.projects.filter((p) => touched.has(p.name)),
      logger,
    );
  };
  const live = options.configFile
    ? startConfigReload(options.configFile, config, applyConfig, { logger, metrics })
    : undefined;
  const registries = createRegistries({ pubsubJwksUrl: config.pubsubJwksUrl }).filter(
    (r) => !options.registries || options.registries.includes(r.kind),
  );
  // A store that cannot be reached is an outage, not a fault of ours: said without a stack, and
  // the consumer tries again at its next poll.
  const onError = (err: unknown) =>
    err instanceof StoreUnavailableError
      ? logger.warn({ error: err.message }, "the store is unavailable; trying again")
      : logger.error({ err }, "internal error");
  // The client's doing, not the server's: no error, no stack.
  const onAborted = ({ registry, project }: GatewayErrorContext) =>
    logger.debug({ registry, project }, "webhook request aborted: the client left before its body arrived");

  // Watched registries are polled where the worker runs; the store's leases keep replicas apart.
  const accounts = config.registries ?? [];
  const poller =
    options.worker !== false && accounts.length > 0
      ? new Poller({
          store,
          accounts,
          projects: () => catalog.all(),
          credentialsFor: credentials.reader,
          onScan: (r) => {
            if (r.fired > 0 || r.changed.length > 0 || r.deleted.length > 0)
              logger.info(
                {
                  registry: r.account,
                  repository: r.repository,
                  changed: r.changed.map((c) => c.tag),
                  deleted: r.deleted,
                  fired: r.fired,
                  duplicates: r.duplicates,
                  firstScan: r.firstScan,
                },
                "watched repository scanned",
              );
          },
          onError: (err, where) =>
            err instanceof StoreUnavailableError
              ? onError(err)
              : logger.warn(
                  {
                    registry: where.account,
                    repository: where.repository,
                    error: (err as Error).message,
                    code: (err as { code?: string }).code,
                  },
                  "watched registry: scan failed; trying again at the next interval",
                ),
        })
      : undefined;

  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => res.json({ status: "ok" }));
  app.get("/readyz", (_req, res) => {
    store.ping().then(
      () => res.json({ status: "ready", ...(live ? { config: live.reloader.status() } : {}) }),
      (err: Error) => {
        // The reason (with the database's path) goes to the log only: /readyz answers anyone.
        logger.warn({ error: err.message }, "not ready: the store cannot commit");
        const { status, headers } = httpErrorOf("STORE_UNAVAILABLE");
        res
          .status(status)
          .set(headers ?? {})
          .json({ status: "unavailable", error: { code: "STORE_UNAVAILABLE", message: NOT_READY } });
      },
    );
  });
  app.get("/metrics", (_req, res) => {
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), onError);
  });
  const gatewayOptions = {
    store,
    registries,
    findProject,
    bodyLimitBytes: config.bodyLimitBytes,
    maxEventsPerRequest: config.maxEventsPerRequest,
    digestHoldMs: config.digestHoldMs,
    deliveryLog: config.deliveries,
    onError,
    onAborted,
    onAnswer: (registry: string, answer: Answer) => countAnswer(metrics, registry, answer),
  };
  app.use(
    "/api/v1",
    createApiRouter({
      store,
      adminToken,
      projects: () => catalog.all(),
      catalog,
      readOnlyTokens: config.readOnlyTokens,
      changes,
      streamPollMs: options.streamPollMs,
      trigger: options.gateways === false ? undefined : createTrigger(gatewayOptions),
      redeliver:
        options.gateways === false
          ? undefined
          : (stored) =>
              redeliver(gatewayOptions, stored).then((decision) => {
                gatewayOptions.onAnswer(stored.registry, decision.answer);
                return decision;
              }),
      credentials,
      webhooks: {
        viewOf: (name) => webhookView(name, catalog, (p) => reconciler.stateOf(p), config.publicUrl),
        publicUrl: config.publicUrl,
        changed: () => reconciler.kick(),
      },
      registries: { accounts, ...(poller ? { poller } : {}) },
      bodyLimitBytes: config.bodyLimitBytes,
      onError,
    }),
  );
  app.use(dashboardRouter());
  app.use((_req, res) =>
    sendError(
      res,
      "NOT_FOUND",
      "no such route; webhooks go to POST /events/<registry>/<project>, the API is under /api/v1, the dashboard at /",
    ),
  );
  app.use(failureHandler(onError));

  // While webhooks come in a burst, the worker holds off claiming (see Consumer.busy).
  const pressure = new IngestPressure();
  let consumer: Consumer | undefined;
  let runDependencies: ReturnType<typeof createRunDependencies> | undefined;
  let retention: NodeJS.Timeout | undefined;
  if (options.worker !== false) {
    runDependencies = createRunDependencies(config, { logger, metrics, post: options.callbackPoster, store });
    consumer = new Consumer({
      store,
      findProject,
      leaseMs: config.worker.leaseMs,
      maxRuns: config.worker.maxRuns,
      pollMs: config.worker.pollMs,
      busy: () => pressure.holdsOff(),
      ...runDependencies,
      credentialsFor: credentials.reader,
      // Subscriptions with verifyWith: their pushes are checked with the watched registries' accounts.
      verifier: new RegistryPushVerifier(accounts, { credentialsFor: credentials.reader }),
      verifyRetry: { firstMs: config.worker.verifyRetryMs },
      onError,
    });
    consumer.start();
    retention = startRetention(store, () => catalog.all(), logger);
  }
  poller?.start();
  const deliveryPruning =
    options.gateways === false ? undefined : startDeliveryPruning(store, config.deliveries, logger);

  // Webhooks are the hot path: they are answered before express's router is entered.
  const webhook = options.gateways === false ? () => false : createGatewayHandler(gatewayOptions);
  const server: Server = createServer(serverTimeouts(config), (req, res) => {
    if (!webhook(req, res)) return app(req, res);
    pressure.started();
    res.once("close", () => pressure.finished());
  });
  await live?.ready;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { url, projects: catalog.all().map((p) => p.name), registries: registries.map((r) => r.kind) },
    "bosun serving",
  );
  warnMissingSources(config.projects, logger);

  return {
    url,
    port,
    store,
    adminToken,
    credentialsFor: credentials.reader,
    consumer,
    ...(poller ? { poller } : {}),
    reloadConfig: async (reason) => live?.reloader.reload(reason),
    async close() {
      live?.close();
      catalog.stop();
      await reconciler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      clearInterval(retention);
      await poller?.stop();
      clearInterval(deliveryPruning);
      await consumer?.stop({ cancel: true });
      await runDependencies?.close();
      await store.close();
    },
  };
}

function warnMissingSources(projects: readonly ProjectConfig[], logger: Logger): void {
  for (const { project, kind, path } of missingSources(projects)) {
    logger.warn(
      { project, [kind]: path },
      `project "${project}": its ${kind} ${path} does not exist; its runs fail until it does`,
    );
  }
}

/**
 * Webhooks are small and registries send them at once, so a client that trickles its headers or body
 * is cut off (408) after seconds rather than Node's minutes. Node checks the timeouts every
 * `connectionsCheckingInterval` (30 s by default), so it is kept well under the shortest of them.
 */
export function serverTimeouts(config: Pick<ServerConfig, "headersTimeoutMs" | "requestTimeoutMs">) {
  const { headersTimeoutMs, requestTimeoutMs } = config;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
  };
}
