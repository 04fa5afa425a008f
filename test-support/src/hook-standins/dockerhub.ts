/**
 * Docker Hub's repository webhook API as a stand-in: `POST /v2/users/login` ({username, password} →
 * {token}), then the JWT as Bearer on `/v2/repositories/{namespace}/{repository}/webhook_pipeline/`
 * (paginated {count, next, previous, results}; POST 201 with the pipeline and its slug, a name already
 * used in the repository 409; DELETE `.../{slug}/` 204). Paths end in a slash, as Hub's do.
 */
import {
  errorShapes,
  header,
  shape,
  startStandIn,
  Violation,
  type HookStandIn,
  type SeenRequest,
  type StandInAnswer,
} from "./stand-in.js";

export const DOCKERHUB_LOGIN = { username: "acme-bot", password: "dckr_pat_hub-secret-77aa" };
/** A member of the organisation without admin rights on the repository. */
export const DOCKERHUB_MEMBER = { username: "acme-dev", password: "dckr_pat_member-secret-31cc" };
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lLWJvdCJ9.hub-jwt-signature";
const MEMBER_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lLWRldiJ9.member-jwt-signature";

interface Pipeline {
  repository: string;
  slug: string;
  name: string;
  expect_final_callback: boolean;
  webhooks: { name: string; hook_url: string }[];
}

export async function startDockerHubStandIn(): Promise<HookStandIn> {
  const repositories = new Set(["acme/webapp"]);
  const pipelines: Pipeline[] = [];
  let nextSlug = 1;
  const error = (status: number, message: string): StandInAnswer => ({
    status,
    body: errorShapes.dockerhub(status, message),
  });
  let base = "";

  const route = (request: SeenRequest): StandInAnswer => {
    if (request.path === "/v2/users/login") {
      if (request.method !== "POST") throw new Violation("login is a POST");
      const body = shape(request.body, "login", { username: "string", password: "string" });
      const user = [DOCKERHUB_LOGIN, DOCKERHUB_MEMBER].find(
        (u) => u.username === body["username"] && u.password === body["password"],
      );
      if (user === undefined) return error(401, "Incorrect authentication credentials.");
      return { status: 200, body: { token: user === DOCKERHUB_LOGIN ? JWT : MEMBER_JWT } };
    }
    const match = /^\/v2\/repositories\/([^/]+\/[^/]+)\/webhook_pipeline\/(?:([^/]+)\/)?$/.exec(request.path);
    if (match === null) throw new Violation("not a webhook_pipeline path (they end in /)");
    if (header(request, "authorization") === `Bearer ${MEMBER_JWT}`) {
      return error(403, "You do not have permission to perform this action.");
    }
    if (header(request, "authorization") !== `Bearer ${JWT}`) {
      return error(401, "Authentication credentials were not provided.");
    }
    const repository = decodeURIComponent(match[1] ?? "");
    if (!repositories.has(repository)) return error(404, "Object not found");
    const inRepository = pipelines.filter((p) => p.repository === repository);
    const view = ({ repository: _r, ...p }: Pipeline) => ({ ...p, active: true, last_called: null });
    const slug = match[2];
    if (slug === undefined) {
      if (request.method === "GET") {
        const page = Number(request.query.get("page") ?? "1");
        const size = Number(request.query.get("page_size") ?? "10");
        const results = inRepository.slice((page - 1) * size, page * size);
        const more = page * size < inRepository.length;
        return {
          status: 200,
          body: {
            count: inRepository.length,
            next: more ? `${base}${request.path}?page=${page + 1}&page_size=${size}` : null,
            previous: null,
            results: results.map(view),
          },
        };
      }
      if (request.method !== "POST") throw new Violation(`${request.method} on the pipeline list`);
      const body = shape(
        request.body,
        "pipeline",
        { name: "string", webhooks: "array" },
        { expect_final_callback: "boolean", registry: "string" },
      );
      const webhooks = (body["webhooks"] as unknown[]).map((w, i) => {
        const hook = shape(w, `webhooks[${i}]`, { name: "string", hook_url: "string" });
        if (!URL.canParse(String(hook["hook_url"]))) throw new Violation("hook_url is not a URL");
        return { name: String(hook["name"]), hook_url: String(hook["hook_url"]) };
      });
      if (webhooks.length === 0) throw new Violation("a pipeline needs a webhook");
      if (inRepository.some((p) => p.name === body["name"])) {
        return error(409, `a webhook named ${String(body["name"])} exists`);
      }
      const created: Pipeline = {
        repository,
        slug: `${String(body["name"])}-${nextSlug++}`,
        name: String(body["name"]),
        expect_final_callback: body["expect_final_callback"] === true,
        webhooks,
      };
      pipelines.push(created);
      return { status: 201, body: view(created) };
    }
    const found = inRepository.find((p) => p.slug === decodeURIComponent(slug));
    if (found === undefined) return error(404, "Object not found");
    if (request.method === "DELETE") {
      pipelines.splice(pipelines.indexOf(found), 1);
      return { status: 204 };
    }
    if (request.method === "GET") return { status: 200, body: view(found) };
    throw new Violation(`${request.method} on a pipeline`);
  };

  const standIn = await startStandIn(route, errorShapes.dockerhub);
  base = standIn.url;
  return {
    ...standIn,
    repository: "acme/webapp",
    missingRepository: "acme/nothing",
    hookCount: () => pipelines.length,
    deliveries: (body) =>
      pipelines.flatMap((p) =>
        p.webhooks.map((w) => ({ headers: {}, query: new URL(w.hook_url).searchParams, body })),
      ),
  };
}
