/**
 * Quay's repository notification API (`/api/v1/repository/{repository}/notification/`) as a
 * stand-in: an OAuth token as Bearer, the trailing slash of the collection, NotificationCreateRequest
 * (event, method, config, eventConfig; title optional) answered 201 with the notification, DELETE 204.
 * Quay allows several notifications alike and has no update.
 */
import { randomUUID } from "node:crypto";
import {
  errorShapes,
  fieldsOf,
  header,
  shape,
  startStandIn,
  Violation,
  type HookStandIn,
  type SeenRequest,
  type StandInAnswer,
} from "./stand-in.js";

export const QUAY_TOKEN = "quay-oauth-token-0c2b98e1";
/** A token without repo:admin. */
export const QUAY_READ_TOKEN = "quay-read-token-7e4410aa";
const EVENTS = [
  "repo_push",
  "build_queued",
  "build_start",
  "build_success",
  "build_failure",
  "vulnerability_found",
];
const METHODS = ["webhook", "email", "slack", "quay_notification"];

interface Notification {
  repository: string;
  uuid: string;
  title: string;
  event: string;
  method: string;
  config: Record<string, unknown>;
  event_config: Record<string, unknown>;
  number_of_failures: number;
}

export async function startQuayStandIn(): Promise<HookStandIn> {
  const repositories = new Set(["acme/webapp"]);
  const notifications: Notification[] = [];
  const error = (status: number, message: string): StandInAnswer => ({
    status,
    body: errorShapes.quay(status, message),
  });
  const view = ({ repository: _repository, ...n }: Notification) => n;

  const route = (request: SeenRequest): StandInAnswer => {
    const match = /^\/api\/v1\/repository\/([^/]+\/[^/]+)\/notification\/(?:([0-9a-f-]+))?$/.exec(
      request.path,
    );
    if (match === null) throw new Violation("not a repository notification path (the list ends in /)");
    const auth = header(request, "authorization");
    if (auth === `Bearer ${QUAY_READ_TOKEN}`) return error(403, "Unauthorized access");
    if (auth !== `Bearer ${QUAY_TOKEN}`) return error(401, "Session required");
    const repository = decodeURIComponent(match[1] ?? "");
    if (!repositories.has(repository)) return error(404, "Not Found");
    const uuid = match[2];
    if (uuid === undefined) {
      if (request.method === "GET") {
        return {
          status: 200,
          body: { notifications: notifications.filter((n) => n.repository === repository).map(view) },
        };
      }
      if (request.method !== "POST") throw new Violation(`${request.method} on the notification list`);
      const body = shape(
        request.body,
        "body",
        { event: "string", method: "string", config: "object", eventConfig: "object" },
        { title: "string" },
      );
      if (!EVENTS.includes(String(body["event"])))
        throw new Violation(`unknown event ${String(body["event"])}`);
      if (!METHODS.includes(String(body["method"])))
        throw new Violation(`unknown method ${String(body["method"])}`);
      const config = fieldsOf(body["config"], "config");
      if (body["method"] === "webhook") {
        shape(config, "config", { url: "string" }, { template: "string" });
        if (!URL.canParse(String(config["url"]))) throw new Violation("config.url is not a URL");
      }
      const created: Notification = {
        repository,
        uuid: randomUUID(),
        title: typeof body["title"] === "string" ? body["title"] : "",
        event: String(body["event"]),
        method: String(body["method"]),
        config,
        event_config: fieldsOf(body["eventConfig"], "eventConfig"),
        number_of_failures: 0,
      };
      notifications.push(created);
      return { status: 201, body: view(created) };
    }
    const found = notifications.find((n) => n.repository === repository && n.uuid === uuid);
    if (found === undefined) return error(404, "Not Found");
    if (request.method === "GET") return { status: 200, body: view(found) };
    if (request.method === "DELETE") {
      notifications.splice(notifications.indexOf(found), 1);
      return { status: 204 };
    }
    throw new Violation(`${request.method} on a notification`);
  };

  const standIn = await startStandIn(route, errorShapes.quay);
  return {
    ...standIn,
    repository: "acme/webapp",
    missingRepository: "acme/nothing",
    hookCount: () => notifications.length,
    deliveries: (body) =>
      notifications
        .filter((n) => n.event === "repo_push" && n.method === "webhook")
        .map((n) => ({
          headers: { "content-type": "application/json" },
          query: new URL(String(n.config["url"])).searchParams,
          body,
        })),
  };
}
