/** /api/v1/registries and /api/v1/poll: the watched registries, their state, checks and scans on demand. */
import express, { type NextFunction, type Request, type Response } from "express";
import { BosunError, errorBody, httpErrorOf, type RegistryAccount } from "@bosun/core";
import type { Store } from "@bosun/store";
import type { Poller, PollOutcome } from "@bosun/watchers";
import { sendError } from "./http-errors.js";

export interface RegistriesApiOptions {
  store: Store;
  accounts: readonly RegistryAccount[];
  /** Absent in a process that does not poll (`bosun gateway`). */
  poller?: Poller;
}

export function createRegistriesRouter(options: RegistriesApiOptions): express.Router {
  const router = express.Router();
  const route =
    (fn: (req: Request, res: Response) => Promise<unknown>) =>
    (req: Request, res: Response, next: NextFunction) =>
      fn(req, res).catch(next);
  const find = (name: unknown) => options.accounts.find((a) => a.name === name);

  router.get(
    "/registries",
    route(async (_req, res) => {
      const watched = await options.store.watches.list();
      res.json({
        registries: options.accounts.map((a) => ({
          ...accountView(a),
          repositoriesWatched: watched.filter((w) => w.account === a.name).map(({ account: _, ...w }) => w),
        })),
      });
    }),
  );
  router.post(
    "/registries/:name/check",
    route(async (req, res) => {
      const account = find(req.params.name);
      if (!account) return sendError(res, "NOT_FOUND", `no watched registry "${String(req.params.name)}"`);
      if (!options.poller) return notPolling(res);
      try {
        const { repositories } = await options.poller.check(account.name);
        res.json({ name: account.name, ok: true, repositories });
      } catch (err) {
        // A report on the registry, not a failed request: the answer says what it refused.
        res.json({ name: account.name, ok: false, error: errorView(err) });
      }
    }),
  );
  router.post(
    "/poll",
    express.json({ limit: 16 * 1024 }),
    route(async (req, res) => {
      const body = (req.body ?? {}) as { account?: unknown; repository?: unknown };
      const account = typeof body.account === "string" ? body.account : undefined;
      const repository = typeof body.repository === "string" ? body.repository : undefined;
      if (account !== undefined && !find(account))
        return sendError(res, "NOT_FOUND", `no watched registry "${account}"`);
      if (repository !== undefined && account === undefined)
        return res.status(httpErrorOf("PAYLOAD_MALFORMED").status).json(
          errorBody({
            code: "PAYLOAD_MALFORMED",
            message: "a repository is polled within its registry: give the account too",
            path: "account",
            expected: "the name of a watched registry",
            found: "nothing",
          }),
        );
      if (!options.poller) return notPolling(res);
      const outcomes = await options.poller.pollNow({ account, repository });
      res.json({ scans: outcomes.map(outcomeView) });
    }),
  );
  return router;
}

function notPolling(res: Response) {
  return sendError(
    res,
    "NOT_FOUND",
    "this process does not poll registries: ask `bosun serve` or `bosun worker`",
  );
}

function accountView(a: RegistryAccount) {
  const c = a.credentials;
  const login =
    c === undefined
      ? "anonymous"
      : "login" in c
        ? `stored login of project ${c.login}`
        : "passwordFile" in c
          ? `${c.username} (password file)`
          : c.username;
  return {
    name: a.name,
    address: a.address,
    ...(a.catalog ? { catalog: true } : { repositories: a.repositories }),
    login,
    insecure: a.insecure,
    intervalMs: a.intervalMs,
    jitterMs: a.jitterMs,
    platform: [a.platform.os, a.platform.architecture, a.platform.variant].filter(Boolean).join("/"),
  };
}

function errorView(err: unknown): { code: string; message: string } {
  if (err instanceof BosunError) return { code: err.code, message: err.message };
  return { code: "INTERNAL", message: (err as Error).message };
}

function outcomeView(o: PollOutcome) {
  if ("error" in o)
    return {
      account: o.account,
      ...(o.repository ? { repository: o.repository } : {}),
      error: errorView(o.error),
    };
  return o;
}
