import { createHash } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";

/** A Default-format PUSH_ARTIFACT webhook, the policy's auth header set to the token verbatim. */
export function synthesizeHarborPush(push: SyntheticPush, secret: string): RequestWithBody {
  const host = push.host ?? "harbor.example.com";
  const digest = `sha256:${createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const slash = push.repository.lastIndexOf("/");
  const now = Math.floor(Date.now() / 1000);
  const body = {
    type: "PUSH_ARTIFACT",
    occur_at: now,
    operator: push.pusher ?? "bosun-trigger",
    event_data: {
      resources: [{ digest, tag: push.tag, resource_url: `${host}/${push.repository}:${push.tag}` }],
      repository: {
        date_created: now,
        name: push.repository.slice(slash + 1),
        namespace: slash === -1 ? "library" : push.repository.slice(0, slash),
        repo_full_name: push.repository,
        repo_type: "private",
      },
    },
  };
  return {
    headers: { "content-type": "application/json", authorization: secret },
    query: new URLSearchParams(),
    body: Buffer.from(JSON.stringify(body)),
  };
}
