/**
 * GitHub's webhook REST API (`/repos/{owner}/{repo}/hooks`, `/orgs/{org}/hooks`, API version
 * 2022-11-28) as a stand-in: Bearer token, a User-Agent (GitHub refuses requests without one),
 * POST 201 with the hook, 422 "Hook already exists" for a second hook of the same URL, PATCH 200,
 * DELETE 204, 404 for an unknown repository or hook; a set secret is listed as "********".
 */
import { createHmac } from "node:crypto";
import {
  errorShapes,
  fieldsOf,
  header,
  shape,
  startStandIn,
  stringsIn,
  Violation,
  type HookStandIn,
  type SeenRequest,
  type StandInAnswer,
} from "./stand-in.js";

export const GITHUB_TOKEN = "ghp_hooksTokenFor3osunTests000000000000";
/** A token without admin:repo_hook. */
export const GITHUB_READ_TOKEN = "ghp_readOnlyTokenFor3osunTests0000000000";
const EVENTS = ["package", "registry_package", "push", "pull_request", "release", "ping"];

interface Hook {
  owner: string;
  id: number;
  active: boolean;
  events: string[];
  config: Record<string, unknown>;
}

export async function startGithubStandIn(): Promise<HookStandIn> {
  const owners = new Set(["repos/acme/webapp", "orgs/acme"]);
  const hooks: Hook[] = [];
  let nextId = 1000;
  let base = "";
  const error = (status: number, message: string): StandInAnswer => ({
    status,
    body: errorShapes.github(status, message),
  });
  const view = (h: Hook) => ({
    type: h.owner.startsWith("orgs/") ? "Organization" : "Repository",
    id: h.id,
    name: "web",
    active: h.active,
    events: h.events,
    config: {
      ...h.config,
      ...(typeof h.config["secret"] === "string" ? { secret: "********" } : {}),
    },
    url: `${base}/${h.owner}/hooks/${h.id}`,
  });

  const route = (request: SeenRequest): StandInAnswer => {
    const match = /^\/(repos\/[^/]+\/[^/]+|orgs\/[^/]+)\/hooks(?:\/(\d+))?$/.exec(request.path);
    if (match === null) throw new Violation("not a hooks path");
    if ((header(request, "user-agent") ?? "") === "") throw new Violation("no User-Agent");
    if (!(header(request, "accept") ?? "").includes("application/vnd.github+json")) {
      throw new Violation("Accept is not application/vnd.github+json");
    }
    const version = header(request, "x-github-api-version");
    if (version !== undefined && version !== "2022-11-28") throw new Violation(`API version ${version}`);
    const auth = header(request, "authorization");
    if (auth === `Bearer ${GITHUB_READ_TOKEN}`) return error(403, "Must have admin rights to Repository.");
    if (auth !== `Bearer ${GITHUB_TOKEN}`) return error(401, "Bad credentials");
    const owner = match[1] ?? "";
    if (!owners.has(owner)) return error(404, "Not Found");
    const mine = hooks.filter((h) => h.owner === owner);
    const id = match[2] === undefined ? undefined : Number(match[2]);
    if (id === undefined) {
      if (request.method === "GET") {
        const perPage = Number(request.query.get("per_page") ?? "30");
        const page = Number(request.query.get("page") ?? "1");
        if (!(perPage >= 1 && perPage <= 100)) throw new Violation("per_page is 1 to 100");
        return { status: 200, body: mine.slice((page - 1) * perPage, page * perPage).map(view) };
      }
      if (request.method !== "POST") throw new Violation(`${request.method} on the hook list`);
      const body = shape(
        request.body,
        "hook",
        { config: "object" },
        { name: "string", events: "array", active: "boolean" },
      );
      if (body["name"] !== undefined && body["name"] !== "web")
        throw new Violation("a webhook's name is web");
      const config = checkedConfig(body["config"]);
      if (mine.some((h) => h.config["url"] === config["url"])) {
        return {
          status: 422,
          body: {
            message: "Validation Failed",
            errors: [{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }],
          },
        };
      }
      const created: Hook = {
        owner,
        id: nextId++,
        active: body["active"] !== false,
        events: body["events"] === undefined ? ["push"] : checkedEvents(body["events"]),
        config,
      };
      hooks.push(created);
      return { status: 201, body: view(created) };
    }
    const hook = mine.find((h) => h.id === id);
    if (hook === undefined) return error(404, "Not Found");
    if (request.method === "GET") return { status: 200, body: view(hook) };
    if (request.method === "PATCH") {
      const body = shape(
        request.body,
        "hook",
        {},
        {
          config: "object",
          events: "array",
          add_events: "array",
          remove_events: "array",
          active: "boolean",
        },
      );
      if (body["config"] !== undefined) hook.config = checkedConfig(body["config"]);
      if (body["events"] !== undefined) hook.events = checkedEvents(body["events"]);
      if (typeof body["active"] === "boolean") hook.active = body["active"];
      return { status: 200, body: view(hook) };
    }
    if (request.method === "DELETE") {
      hooks.splice(hooks.indexOf(hook), 1);
      return { status: 204 };
    }
    throw new Violation(`${request.method} on a hook`);
  };

  const standIn = await startStandIn(route, errorShapes.github);
  base = standIn.url;
  return {
    ...standIn,
    repository: "acme/webapp",
    missingRepository: "acme/nothing",
    hookCount: () => hooks.length,
    deliveries: (body) =>
      hooks
        .filter((h) => h.active && h.events.some((e) => e === "package" || e === "registry_package"))
        .map((h) => {
          const secret = typeof h.config["secret"] === "string" ? h.config["secret"] : "";
          return {
            headers: {
              "content-type":
                h.config["content_type"] === "json"
                  ? "application/json"
                  : "application/x-www-form-urlencoded",
              "x-github-event": "package",
              ...(secret === ""
                ? {}
                : {
                    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
                  }),
            },
            query: new URL(String(h.config["url"])).searchParams,
            body,
          };
        }),
  };
}

function checkedConfig(value: unknown): Record<string, unknown> {
  const config = shape(
    value,
    "config",
    { url: "string" },
    { content_type: "string", secret: "string", insecure_ssl: "string" },
  );
  if (!URL.canParse(String(config["url"]))) throw new Violation("config.url is not a URL");
  const type = config["content_type"];
  if (type !== undefined && type !== "json" && type !== "form")
    throw new Violation("content_type is json or form");
  const insecure = config["insecure_ssl"];
  if (insecure !== undefined && insecure !== "0" && insecure !== "1")
    throw new Violation("insecure_ssl is 0 or 1");
  return { content_type: "form", insecure_ssl: "0", ...fieldsOf(config, "config") };
}

function checkedEvents(value: unknown): string[] {
  const events = stringsIn(value, "events");
  for (const event of events) if (!EVENTS.includes(event)) throw new Violation(`unknown event ${event}`);
  return events;
}
