/**
 * Projects through the API (`bosun project add|update|remove|export`): stored in the store, live on
 * every replica at its next catalog refresh, on this one at once. A project of bosun.yaml is the file's:
 * the API shows it and refuses to change it. `?dryRun=true` checks and answers what would be stored,
 * changing nothing.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { stringify } from "yaml";
import {
  errorBody,
  httpErrorOf,
  parseProjectSpec,
  type Problem,
  type ProjectConfig,
  type Sealer,
} from "@bosun/core";
import type { CredentialStore, Store } from "@bosun/store";
import { sendError } from "../http-errors.js";
import type { ProjectCatalog } from "./catalog.js";
import { exportBlock } from "./export.js";
import { hasSecrets, openBlock, storedBlock, toProjectWrite, type ProjectBlock } from "./stored.js";
import { planWebhook } from "./webhook-plan.js";
import { loginProblems, splitSettings, withoutSettings, type WebhookSettings } from "./webhook-settings.js";

export interface ProjectRoutesOptions {
  store: Store;
  catalog: ProjectCatalog;
  sealer: Sealer | undefined;
  /** How the API shows a project (never a secret). */
  view(project: ProjectConfig): Record<string, unknown>;
  /** Where the logins a project's webhook settings name are looked up. */
  credentials?: CredentialStore;
  /** server.publicUrl: the base of the webhook URLs registered. */
  publicUrl?: string;
  /** Told when a project was stored or removed here, so that its webhook is applied at once. */
  changed?(): void;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

export function createProjectRoutes(options: ProjectRoutesOptions): express.Router {
  const { store, catalog, sealer } = options;
  const router = express.Router();
  const route = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);
  const json = express.json({ limit: "256kb" });
  const dryRun = (req: Request) => req.query.dryRun === "true" || req.query.dryRun === "1";
  const apiView = (p: ProjectConfig) => ({ ...options.view(p), managedBy: "api" });
  const stored = async (name: string) => (await store.listProjects()).find((p) => p.name === name);

  /** The block checked, or an answer already sent. */
  const checked = async (
    res: Response,
    block: unknown,
  ): Promise<{ block: ProjectBlock; config: ProjectConfig; settings: WebhookSettings } | undefined> => {
    const split =
      block && typeof block === "object" && !Array.isArray(block)
        ? splitSettings(block as Record<string, unknown>)
        : { value: { settings: {}, rest: block as Record<string, unknown> } };
    const parsed = parseProjectSpec(split.value?.rest ?? block);
    if (split.errors || parsed.errors) {
      invalid(res, [...(split.errors ?? []), ...(parsed.errors ?? [])]);
      return undefined;
    }
    const settings = split.value.settings;
    const logins = await loginProblems(settings, parsed.value, options.credentials, options.publicUrl);
    if (logins.length > 0) {
      invalid(res, logins);
      return undefined;
    }
    if (hasSecrets(block as Record<string, unknown>) && !sealer) {
      sendError(
        res,
        "CREDENTIALS_KEY_MISSING",
        "this server has no credentials key, so it cannot keep a project's secrets or webhookToken: set " +
          "credentials.keyFile in its config or BOSUN_CREDENTIALS_KEY, then restart it",
      );
      return undefined;
    }
    return { block: block as ProjectBlock, config: parsed.value, settings };
  };
  /** The webhook a dry run would have Bosun keep: registry, repository and URL, never the token. */
  const webhookOf = (config: ProjectConfig, settings: WebhookSettings) => {
    const plan = planWebhook(config, settings, options.publicUrl);
    if (!plan.applies)
      return {
        state: "not applicable",
        reason: plan.reason,
        ...(plan.configuration ? { configuration: plan.configuration } : {}),
      };
    const { kind, repository, url, api } = plan.target;
    return { registry: kind, repository, url, api };
  };
  const fileManaged = (res: Response, name: string) =>
    sendError(
      res,
      "PROJECT_FILE_MANAGED",
      `project "${name}" is defined in bosun.yaml: change it there (the server applies the file without a restart)`,
    );

  router.post(
    "/projects",
    json,
    route(async (req, res) => {
      const ok = await checked(res, req.body);
      if (!ok) return;
      const { name } = ok.config;
      if (catalog.managedBy(name) === "file")
        return sendError(res, "PROJECT_EXISTS", `project "${name}" exists already, in bosun.yaml`);
      if (dryRun(req)) {
        if (await stored(name))
          return sendError(
            res,
            "PROJECT_EXISTS",
            `project "${name}" exists already: bosun project update ${name}`,
          );
        return res.json({
          dryRun: true,
          action: "create",
          project: { ...apiView(ok.config), webhook: webhookOf(ok.config, ok.settings) },
        });
      }
      const created = await store.createProject(await toProjectWrite(ok.block, sealer));
      if (!created)
        return sendError(
          res,
          "PROJECT_EXISTS",
          `project "${name}" exists already: bosun project update ${name}`,
        );
      await catalog.refresh();
      options.changed?.();
      res.status(201).json({ project: apiView(ok.config), revision: created.revision });
    }),
  );

  router.put(
    "/projects/:name",
    json,
    route(async (req, res) => {
      const name = String(req.params.name);
      if (catalog.managedBy(name) === "file") return fileManaged(res, name);
      const current = await stored(name);
      if (!current) return sendError(res, "NOT_FOUND", `no project "${name}" made through the API`);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.name !== undefined && body.name !== name)
        return invalid(res, [
          {
            code: "PAYLOAD_MALFORMED",
            message: "a project cannot be renamed: remove it and add it under the new name",
            path: "name",
            expected: JSON.stringify(name),
            found: JSON.stringify(body.name),
          },
        ]);
      // A merge patch at the top level: the keys given replace the stored ones, null removes one, the
      // rest (secrets and webhookToken among them) are kept.
      const merged: Record<string, unknown> = { ...(await openBlock(current, sealer)), ...body, name };
      for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
      const ok = await checked(res, merged);
      if (!ok) return;
      if (dryRun(req))
        return res.json({
          dryRun: true,
          action: "update",
          project: { ...apiView(ok.config), webhook: webhookOf(ok.config, ok.settings) },
        });
      const updated = await store.updateProject(await toProjectWrite(ok.block, sealer));
      if (!updated) return sendError(res, "NOT_FOUND", `no project "${name}" made through the API`);
      await catalog.refresh();
      options.changed?.();
      res.json({ project: apiView(ok.config), revision: updated.revision });
    }),
  );

  router.delete(
    "/projects/:name",
    route(async (req, res) => {
      const name = String(req.params.name);
      if (catalog.managedBy(name) === "file") return fileManaged(res, name);
      if (dryRun(req)) {
        if (!(await stored(name)))
          return sendError(res, "NOT_FOUND", `no project "${name}" made through the API`);
        return res.json({ dryRun: true, action: "remove", project: name });
      }
      if (!(await store.removeProject(name)))
        return sendError(res, "NOT_FOUND", `no project "${name}" made through the API`);
      await catalog.refresh();
      options.changed?.();
      res.status(204).end();
    }),
  );

  router.get(
    "/projects/:name/export",
    route(async (req, res) => {
      const name = String(req.params.name);
      if (catalog.managedBy(name) === "file") return fileManaged(res, name);
      const current = await stored(name);
      if (!current) return sendError(res, "NOT_FOUND", `no project "${name}" made through the API`);
      const open = current.sealed ? await openBlock(current, sealer) : undefined;
      const secretNames = Object.keys((open?.secrets as Record<string, string> | undefined) ?? {});
      const { yaml, variables } = exportBlock(
        withoutSettings(storedBlock(current)),
        secretNames,
        open?.webhookToken !== undefined,
      );
      res.json({ yaml: stringify({ projects: [yaml] }), variables });
    }),
  );
  return router;
}

function invalid(res: Response, problems: Problem[]): Response {
  const first = { ...problems[0]!, code: "PAYLOAD_MALFORMED" as const };
  return res.status(httpErrorOf("PAYLOAD_MALFORMED").status).json({
    ...errorBody(first),
    problems: problems.map((p) => errorBody({ ...p, code: "PAYLOAD_MALFORMED" }).error),
  });
}
