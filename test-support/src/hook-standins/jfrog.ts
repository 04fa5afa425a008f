/**
 * Artifactory's webhook subscription API (`/event/api/v1/subscriptions`) as a stand-in: an access token
 * as Bearer; subscriptions by unique key (POST 201, 409 for a key in use; PUT and DELETE
 * `/subscriptions/{key}` 200, 404 for none), listed without their handlers' secrets, which Artifactory
 * never shows back. Repository domains need criteria naming repositories or any local/remote.
 */
import { createHmac } from "node:crypto";
import {
  errorShapes,
  header,
  shape,
  startStandIn,
  stringsIn,
  Violation,
  type HookStandIn,
  type SeenRequest,
  type StandInAnswer,
} from "./stand-in.js";

export const JFROG_TOKEN = "jfrog-access-token-9d0e31";
/** A user's token without the Manage Webhooks permission. */
export const JFROG_READ_TOKEN = "jfrog-reader-token-51ab70";
const DOMAIN_EVENTS: Readonly<Record<string, readonly string[]>> = {
  docker: ["pushed", "deleted", "promoted"],
  artifact: ["deployed", "deleted", "moved", "copied", "cached"],
  build: ["uploaded", "deleted", "promoted"],
};

export async function startJfrogStandIn(): Promise<HookStandIn> {
  const subscriptions = new Map<string, Record<string, unknown>>();
  const error = (status: number, message: string): StandInAnswer => ({
    status,
    body: errorShapes.jfrog(status, message),
  });
  const hidden = (s: Record<string, unknown>) => ({
    ...s,
    handlers: (s["handlers"] as Record<string, unknown>[]).map(({ secret: _secret, ...h }) => h),
  });

  const route = (request: SeenRequest): StandInAnswer => {
    const match = /^\/event\/api\/v1\/subscriptions(?:\/([^/]+))?$/.exec(request.path);
    if (match === null) throw new Violation("not a subscriptions path");
    const auth = header(request, "authorization");
    if (auth === `Bearer ${JFROG_READ_TOKEN}`) return error(403, "Forbidden");
    if (auth !== `Bearer ${JFROG_TOKEN}`) return error(401, "Bad credentials");
    const key = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    if (key === undefined) {
      if (request.method === "GET") return { status: 200, body: [...subscriptions.values()].map(hidden) };
      if (request.method !== "POST") throw new Violation(`${request.method} on the subscription list`);
      const body = checked(request.body);
      if (subscriptions.has(String(body["key"])))
        return error(409, `webhook ${String(body["key"])} already exists`);
      subscriptions.set(String(body["key"]), body);
      return { status: 201 };
    }
    const found = subscriptions.get(key);
    if (found === undefined) return error(404, `webhook ${key} not found`);
    if (request.method === "GET") return { status: 200, body: hidden(found) };
    if (request.method === "PUT") {
      const body = checked(request.body);
      if (body["key"] !== key) throw new Violation("the body's key is not the path's");
      subscriptions.set(key, body);
      return { status: 200 };
    }
    if (request.method === "DELETE") {
      subscriptions.delete(key);
      return { status: 200 };
    }
    throw new Violation(`${request.method} on a subscription`);
  };

  const standIn = await startStandIn(route, errorShapes.jfrog);
  return {
    ...standIn,
    repository: "docker-local",
    hookCount: () => subscriptions.size,
    deliveries: (body) =>
      [...subscriptions.values()]
        .filter((s) => {
          const filter = s["event_filter"] as Record<string, unknown>;
          return (
            s["enabled"] !== false &&
            filter["domain"] === "docker" &&
            stringsIn(filter["event_types"], "").includes("pushed")
          );
        })
        .flatMap((s) => s["handlers"] as Record<string, unknown>[])
        .map((h) => {
          const secret = typeof h["secret"] === "string" ? h["secret"] : "";
          const auth =
            h["use_secret_for_signing"] === true
              ? createHmac("sha256", secret).update(body).digest("hex")
              : secret;
          return {
            headers: { "content-type": "application/json", "x-jfrog-event-auth": auth },
            query: new URL(String(h["url"])).searchParams,
            body,
          };
        }),
  };
}

function checked(value: unknown): Record<string, unknown> {
  const body = shape(
    value,
    "subscription",
    { key: "string", event_filter: "object", handlers: "array" },
    { description: "string", enabled: "boolean" },
  );
  const filter = shape(
    body["event_filter"],
    "event_filter",
    { domain: "string", event_types: "array" },
    { criteria: "object" },
  );
  const allowed = DOMAIN_EVENTS[String(filter["domain"])];
  if (allowed === undefined) throw new Violation(`unknown domain ${String(filter["domain"])}`);
  const events = stringsIn(filter["event_types"], "event_filter.event_types");
  if (events.length === 0 || events.some((e) => !allowed.includes(e))) {
    throw new Violation(`event types ${events.join(",")} are not of domain ${String(filter["domain"])}`);
  }
  if (filter["domain"] === "docker" || filter["domain"] === "artifact") {
    const criteria = shape(
      filter["criteria"],
      "event_filter.criteria",
      {
        anyLocal: "boolean",
        anyRemote: "boolean",
        repoKeys: "array",
        includePatterns: "array",
        excludePatterns: "array",
      },
      { anyFederated: "boolean" },
    );
    if (
      criteria["anyLocal"] !== true &&
      criteria["anyRemote"] !== true &&
      stringsIn(criteria["repoKeys"], "repoKeys").length === 0
    ) {
      throw new Violation("criteria name no repository");
    }
  }
  const handlers = body["handlers"] as unknown[];
  if (handlers.length === 0) throw new Violation("a subscription needs a handler");
  handlers.forEach((h, i) => {
    const handler = shape(
      h,
      `handlers[${i}]`,
      { handler_type: "string", url: "string" },
      { secret: "string", use_secret_for_signing: "boolean", proxy: "string", custom_http_headers: "array" },
    );
    if (handler["handler_type"] !== "webhook")
      throw new Violation("a predefined webhook's handler_type is webhook");
    if (!URL.canParse(String(handler["url"]))) throw new Violation("handler url is not a URL");
  });
  return body;
}
