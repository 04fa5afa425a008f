import { createHash, randomUUID } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";

/** An ACR `push` webhook, with the token in the custom Authorization header users configure. */
export function synthesizeAcrPush(push: SyntheticPush, secret: string): RequestWithBody {
  const host = push.host ?? "myregistry.azurecr.io";
  const digest = `sha256:${createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const body = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    action: "push",
    target: {
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      size: 524,
      digest,
      length: 524,
      repository: push.repository,
      tag: push.tag,
    },
    request: { id: randomUUID(), host, method: "PUT", useragent: "bosun-trigger" },
  };
  return {
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    query: new URLSearchParams(),
    body: Buffer.from(JSON.stringify(body)),
  };
}
