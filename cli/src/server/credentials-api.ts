/**
 * Registry and git logins over the API (`bosun login`, `bosun logout`, `bosun credentials list`), the
 * service accounts that hold logins for several projects (`bosun serviceaccount`), and the server's
 * sealer and reader for them. Passwords come in sealed-to-be and never go out: responses and logs carry
 * usernames and targets only.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import {
  createSealer,
  isCredentialKind,
  normaliseTarget,
  describeOwner,
  ownerKey,
  ownerOfKey,
  RESOURCE_NAME,
  RESOURCE_NAME_RULE,
  type CredentialKind,
  type CredentialSummary,
  type CredentialsReader,
  type ProjectConfig,
  type Sealer,
  type ServerConfig,
} from "@bosun/core";
import { createCredentialsReader, putLogin, type CredentialStore } from "@bosun/store";
import { sendError } from "./http-errors.js";
import type { Logger } from "./logger.js";

export interface ServerCredentials {
  store: CredentialStore;
  /** Absent when no key is configured: logins are refused, listing and logout still work. */
  sealer?: Sealer;
  /** For the worker: a project's logins, opened. */
  reader: CredentialsReader;
}

/** The server's credentials from its config; warns (without failing) when stored logins do not open. */
export function setUpCredentials(
  config: ServerConfig,
  store: CredentialStore,
  logger: Logger,
  serviceAccountOf: (project: string) => string | undefined,
): ServerCredentials {
  const sealer = config.credentialsKey === undefined ? undefined : createSealer(config.credentialsKey);
  const reader = createCredentialsReader(store, sealer, serviceAccountOf);
  // A wrong or missing key is found now, in the log, rather than at the first pull that needs it.
  void store
    .list()
    .then((all) => all[0] && reader(all[0].project))
    .catch((err: Error & { code?: string }) => logger.warn({ code: err.code }, err.message));
  return { store, sealer, reader };
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

export function createCredentialsRouter(
  credentials: Pick<ServerCredentials, "store" | "sealer">,
  projects: () => readonly ProjectConfig[],
): express.Router {
  const { store, sealer } = credentials;
  const router = express.Router();
  const route = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch(next);
  /** The owner key of the project or service account the path names, or a 404 already sent. */
  type Owner = (req: Request, res: Response) => Promise<string | undefined>;
  const knownProject: Owner = async (req, res) => {
    const name = String(req.params.name);
    if (projects().some((p) => p.name === name)) return name;
    sendError(res, "NOT_FOUND", `no project "${name}"`);
    return undefined;
  };
  const knownAccount: Owner = async (req, res) => {
    const name = String(req.params.name);
    if ((await store.listServiceAccounts()).some((a) => a.name === name))
      return ownerKey({ serviceAccount: name });
    sendError(
      res,
      "CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND",
      `no service account "${name}": create it with \`bosun serviceaccount create ${name}\``,
    );
    return undefined;
  };
  /** The kind and normalised target from the path, or a 400 already sent. */
  const login = (req: Request, res: Response): { kind: CredentialKind; target: string } | undefined => {
    const kind = String(req.params.kind);
    if (!isCredentialKind(kind)) {
      sendError(res, "PAYLOAD_MALFORMED", `unknown credential kind "${kind}"; expected docker or git`);
      return undefined;
    }
    const target = normaliseTarget(kind, String(req.params.target));
    if (target) return { kind, target };
    const what = kind === "docker" ? "a registry" : "a git host";
    sendError(
      res,
      "PAYLOAD_MALFORMED",
      `expected ${what} as host[:port], found "${String(req.params.target)}"`,
    );
    return undefined;
  };

  router.get(
    "/credentials",
    route(async (req, res) => {
      const project =
        typeof req.query.project === "string" && req.query.project ? req.query.project : undefined;
      res.json({ credentials: (await store.list(project)).map(credentialView) });
    }),
  );
  for (const [base, owner] of [
    ["/projects/:name", knownProject],
    ["/serviceaccounts/:name", knownAccount],
  ] as const) {
    router.get(
      `${base}/credentials`,
      route(async (req, res) => {
        const key = await owner(req, res);
        if (key) res.json({ credentials: (await store.list(key)).map(credentialView) });
      }),
    );
    router.put(
      `${base}/credentials/:kind/:target`,
      express.json({ limit: "64kb" }),
      route(async (req, res) => {
        const key = await owner(req, res);
        const where = key && login(req, res);
        if (!key || !where) return;
        const { username, password } = (req.body ?? {}) as Record<string, unknown>;
        if (typeof username !== "string" || !username.trim() || typeof password !== "string" || !password) {
          return sendError(
            res,
            "PAYLOAD_MALFORMED",
            'a login needs a JSON body {"username": "...", "password": "..."} with non-empty strings',
          );
        }
        // Basic auth (registries, git over https) joins them as user:password, so a colon would split wrong.
        if (/[:\p{Cc}]/u.test(username)) {
          return sendError(res, "PAYLOAD_MALFORMED", "a username cannot contain ':' or control characters");
        }
        if (!sealer) {
          return sendError(
            res,
            "CREDENTIALS_KEY_MISSING",
            "this server has no credentials key, so it cannot store logins: set credentials.keyFile in its " +
              "config (a file made with `head -c 32 /dev/urandom | base64 > key`) or BOSUN_CREDENTIALS_KEY, " +
              "then restart it",
          );
        }
        await putLogin(store, sealer, { project: key, ...where, username: username.trim(), password });
        res.status(204).end();
      }),
    );
    router.delete(
      `${base}/credentials/:kind/:target`,
      route(async (req, res) => {
        const key = await owner(req, res);
        const where = key && login(req, res);
        if (!key || !where) return;
        if (await store.remove(key, where.kind, where.target)) return res.status(204).end();
        sendError(
          res,
          "NOT_FOUND",
          `${describeOwner(ownerOfKey(key))} has no ${where.kind} login for ${where.target}`,
        );
      }),
    );
  }

  const usersOf = (account: string) =>
    projects()
      .filter((p) => p.serviceAccount === account)
      .map((p) => p.name);
  router.get(
    "/serviceaccounts",
    route(async (_req, res) => {
      const accounts = await store.listServiceAccounts();
      res.json({ serviceAccounts: accounts.map((a) => ({ ...a, projects: usersOf(a.name) })) });
    }),
  );
  router.post(
    "/serviceaccounts",
    express.json({ limit: "4kb" }),
    route(async (req, res) => {
      const { name } = (req.body ?? {}) as Record<string, unknown>;
      if (typeof name !== "string" || !RESOURCE_NAME.test(name)) {
        return sendError(
          res,
          "PAYLOAD_MALFORMED",
          `a service account needs a JSON body {"name": "..."}, the name ${RESOURCE_NAME_RULE}; found ` +
            JSON.stringify(name ?? null),
        );
      }
      const created = await store.createServiceAccount(name);
      if (!created)
        return sendError(
          res,
          "CREDENTIALS_SERVICE_ACCOUNT_EXISTS",
          `service account "${name}" exists already`,
        );
      res.status(201).json({ ...created, projects: usersOf(name) });
    }),
  );
  router.delete(
    "/serviceaccounts/:name",
    route(async (req, res) => {
      const name = String(req.params.name);
      const users = usersOf(name);
      if (users.length > 0) {
        return sendError(
          res,
          "CREDENTIALS_SERVICE_ACCOUNT_IN_USE",
          `service account "${name}" is named by project${users.length > 1 ? "s" : ""} ${users.join(", ")}: ` +
            "change their serviceAccount first",
        );
      }
      if (await store.removeServiceAccount(name)) return res.status(204).end();
      sendError(res, "CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND", `no service account "${name}"`);
    }),
  );
  // A body parser's error is handled here, never passed on to the server's error log: it carries the
  // raw body, which holds the password. Anything else (the store failing) is the API's to answer.
  router.use(
    (err: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
      if (typeof err.type === "string") {
        const tooLarge = err.status === 413;
        return sendError(
          res,
          tooLarge ? "BODY_TOO_LARGE" : "PAYLOAD_MALFORMED",
          tooLarge
            ? "the login is too large"
            : 'a login needs a JSON body {"username": "...", "password": "..."}',
        );
      }
      next(err);
    },
  );
  return router;
}

/** A listing's entry: its owner as `project` or `serviceAccount`, never the sealed value. */
function credentialView(c: CredentialSummary) {
  const { project, ...rest } = c;
  return { ...ownerOfKey(project), ...rest };
}
