import { TOKEN_QUERY_PARAMETERS } from "../dockerhub/gateway.js";
import type { RequestWithBody, SyntheticPush } from "../registry.js";

/** A current `repo_push` notification for one tag, token in the URL as Quay users configure it. */
export function synthesizeQuayPush(push: SyntheticPush, secret: string): RequestWithBody {
  const host = push.host ?? "quay.io";
  const [namespace = "", ...rest] = push.repository.split("/");
  const body = {
    name: rest.join("/") || namespace,
    repository: push.repository,
    namespace,
    docker_url: `${host}/${push.repository}`,
    homepage: `https://${host}/repository/${push.repository}`,
    updated_tags: [push.tag],
  };
  return {
    headers: { "content-type": "application/json" },
    query: new URLSearchParams({ [TOKEN_QUERY_PARAMETERS[0]]: secret }),
    body: Buffer.from(JSON.stringify(body)),
  };
}
