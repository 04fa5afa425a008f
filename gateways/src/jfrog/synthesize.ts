import { createHash, createHmac } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";
import { JFROG_AUTH_HEADER } from "./authentication.js";

/**
 * A Docker `pushed` webhook with "Use secret for payload signing" on: X-JFrog-Event-Auth is
 * hex(HMAC-SHA256(token, body)). `push.host` becomes the platform URL (jpd_origin).
 */
export function synthesizeJfrogPush(push: SyntheticPush, secret: string): RequestWithBody {
  const sha256 = createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex");
  const event = {
    domain: "docker",
    event_type: "pushed",
    data: {
      repo_key: "docker-local",
      path: `${push.repository}/${push.tag}/manifest.json`,
      name: "manifest.json",
      sha256,
      size: 1580,
      image_name: push.repository,
      tag: push.tag,
    },
    subscription_key: "bosun",
    jpd_origin: `https://${push.host ?? "example.jfrog.io"}`,
    source: `jfrog/${push.pusher ?? "bosun-trigger"}`,
  };
  const body = Buffer.from(JSON.stringify(event));
  return {
    headers: {
      "content-type": "application/json",
      [JFROG_AUTH_HEADER]: createHmac("sha256", secret).update(body).digest("hex"),
    },
    query: new URLSearchParams(),
    body,
  };
}
