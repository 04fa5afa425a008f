/**
 * Harbor's webhook policy API (v2.0, swagger `/api/v2.0/projects/{project_name_or_id}/webhook/policies`)
 * as a stand-in: Basic auth of one user, projects by name, policies with unique names per project
 * (409 otherwise), the POST answered 201 with a Location and no body, PUT and DELETE answered 200.
 */
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

export const HARBOR_LOGIN = { username: "robot$bosun", password: "harbor-robot-secret-41f7" };
/** A project guest: may see the project, not its webhook policies. */
export const HARBOR_GUEST = { username: "guest", password: "harbor-guest-secret-07c2" };
const EVENT_TYPES = [
  "PUSH_ARTIFACT",
  "DELETE_ARTIFACT",
  "PULL_ARTIFACT",
  "SCANNING_COMPLETED",
  "QUOTA_EXCEED",
];

interface Policy {
  id: number;
  project: string;
  body: Record<string, unknown>;
}

export async function startHarborStandIn(): Promise<HookStandIn> {
  const projects = new Set(["library"]);
  const policies: Policy[] = [];
  let nextId = 1;
  const error = (status: number, message: string): StandInAnswer => ({
    status,
    body: errorShapes.harbor(status, message),
  });

  const route = (request: SeenRequest): StandInAnswer => {
    const match = /^\/api\/v2\.0\/projects\/([^/]+)\/webhook\/policies(?:\/(\d+))?$/.exec(request.path);
    if (match === null) throw new Violation("not a webhook policy path");
    const auth = header(request, "authorization");
    if (auth === basic(HARBOR_GUEST)) return error(403, "forbidden");
    if (auth !== basic(HARBOR_LOGIN)) return error(401, "unauthorized");
    const project = decodeURIComponent(match[1] ?? "");
    if (!projects.has(project)) return error(404, `project ${project} not found`);
    const inProject = policies.filter((p) => p.project === project);
    const id = match[2] === undefined ? undefined : Number(match[2]);
    if (id === undefined) {
      if (request.method === "GET") {
        const page = Number(request.query.get("page") ?? "1");
        const size = Number(request.query.get("page_size") ?? "10");
        if (!(size >= 1 && size <= 100)) throw new Violation("page_size must be 1 to 100");
        const slice = inProject.slice((page - 1) * size, page * size);
        return {
          status: 200,
          headers: { "x-total-count": String(inProject.length) },
          body: slice.map((p) => ({ ...p.body, id: p.id, project_id: 1, creator: HARBOR_LOGIN.username })),
        };
      }
      if (request.method !== "POST") throw new Violation(`${request.method} on the policy list`);
      const body = checkedPolicy(request.body);
      if (inProject.some((p) => p.body["name"] === body["name"])) {
        return error(409, `webhook policy ${String(body["name"])} already exists`);
      }
      const created = { id: nextId++, project, body };
      policies.push(created);
      return { status: 201, headers: { location: `${request.path}/${created.id}` } };
    }
    const policy = inProject.find((p) => p.id === id);
    if (policy === undefined) return error(404, `webhook policy ${id} not found`);
    if (request.method === "GET") return { status: 200, body: { ...policy.body, id } };
    if (request.method === "PUT") {
      const body = checkedPolicy(request.body);
      if (body["id"] !== undefined && body["id"] !== id)
        throw new Violation("the body's id is not the path's");
      policy.body = body;
      return { status: 200 };
    }
    if (request.method === "DELETE") {
      policies.splice(policies.indexOf(policy), 1);
      return { status: 200 };
    }
    throw new Violation(`${request.method} on a policy`);
  };

  const standIn = await startStandIn(route, errorShapes.harbor);
  return {
    ...standIn,
    repository: "library/webapp",
    missingRepository: "nowhere/webapp",
    hookCount: () => policies.length,
    deliveries: (body) =>
      policies
        .filter(
          (p) => p.body["enabled"] === true && stringsIn(p.body["event_types"], "").includes("PUSH_ARTIFACT"),
        )
        .flatMap((p) => (p.body["targets"] as Record<string, unknown>[]).filter((t) => t["type"] === "http"))
        .map((target) => {
          const address = new URL(String(target["address"]));
          const auth = target["auth_header"];
          return {
            headers: {
              "content-type": "application/json",
              ...(typeof auth === "string" && auth !== "" ? { authorization: auth } : {}),
            },
            query: address.searchParams,
            body,
          };
        }),
  };
}

function basic(login: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
}

/** A policy as the swagger's WebhookPolicy: "targets" and "event_types" needed. */
function checkedPolicy(value: unknown): Record<string, unknown> {
  const policy = shape(
    value,
    "policy",
    { name: "string", targets: "array", event_types: "array" },
    { id: "number", description: "string", project_id: "number", enabled: "boolean" },
  );
  for (const event of stringsIn(policy["event_types"], "policy.event_types")) {
    if (!EVENT_TYPES.includes(event)) throw new Violation(`unknown event type ${event}`);
  }
  (policy["targets"] as unknown[]).forEach((t, i) => {
    const target = shape(
      t,
      `policy.targets[${i}]`,
      { type: "string", address: "string" },
      { auth_header: "string", skip_cert_verify: "boolean", payload_format: "string" },
    );
    if (!["http", "slack"].includes(String(target["type"])))
      throw new Violation("target type is http or slack");
    if (!URL.canParse(String(target["address"]))) throw new Violation("target address is not a URL");
    const format = target["payload_format"];
    if (format !== undefined && format !== "Default" && format !== "CloudEvents") {
      throw new Violation("payload_format is Default or CloudEvents");
    }
  });
  fieldsOf(policy, "policy");
  return policy;
}
