import { createHash, randomUUID } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";

/** A one-event Distribution envelope for a manifest push, as registry 2.x sends it. */
export function synthesizeDistributionPush(push: SyntheticPush, secret: string): RequestWithBody {
  const host = push.host ?? "127.0.0.1:5000";
  const digest = `sha256:${createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const event = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    action: "push",
    target: {
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      digest,
      size: 528,
      length: 528,
      repository: push.repository,
      url: `http://${host}/v2/${push.repository}/manifests/${digest}`,
      tag: push.tag,
    },
    request: { id: randomUUID(), addr: "127.0.0.1", host, method: "PUT", useragent: "bosun-trigger" },
    actor: push.pusher ? { name: push.pusher } : {},
    source: { addr: host, instanceID: "bosun-trigger" },
  };
  return {
    headers: {
      "content-type": "application/vnd.docker.distribution.events.v1+json",
      authorization: `Bearer ${secret}`,
    },
    query: new URLSearchParams(),
    body: Buffer.from(JSON.stringify({ events: [event] })),
  };
}
