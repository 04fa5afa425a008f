import type { RequestWithBody, SyntheticPush } from "../registry.js";

/** A current-format Docker Hub push webhook, token in the query as Docker Hub users configure it. */
export function synthesizeDockerHubPush(push: SyntheticPush, secret: string): RequestWithBody {
  const [namespace, ...rest] = push.repository.includes("/")
    ? push.repository.split("/")
    : ["library", push.repository];
  const name = rest.join("/");
  const body = {
    callback_url: `https://registry.hub.docker.com/u/${namespace}/${name}/hook/bosun-trigger/`,
    push_data: {
      pushed_at: Math.floor(Date.now() / 1000),
      pusher: push.pusher ?? "bosun-trigger",
      tag: push.tag,
      media_type: "application/vnd.docker.distribution.manifest.v2+json",
    },
    repository: {
      repo_name: `${namespace}/${name}`,
      namespace,
      name,
      repo_url: `https://hub.docker.com/r/${namespace}/${name}`,
      is_private: false,
      status: "Active",
    },
  };
  return {
    headers: { "content-type": "application/json" },
    query: new URLSearchParams({ access_token: secret }),
    body: Buffer.from(JSON.stringify(body)),
  };
}
