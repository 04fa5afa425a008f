import { createHash, randomUUID } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";
import { ECR_SOURCE, IMAGE_ACTION } from "./payload.js";

/**
 * The "ECR Image Action" event of a successful push, as an API destination posts it, with the token in
 * the connection's X-Webhook-Secret header. The host's account and region are taken from `push.host`
 * when it is an ECR host; ECR reports no pusher.
 */
export function synthesizeEcrPush(push: SyntheticPush, secret: string): RequestWithBody {
  const [, account = "123456789012", region = "us-east-1"] =
    /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(push.host ?? "") ?? [];
  const digest = `sha256:${createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const event = {
    version: "0",
    id: randomUUID(),
    "detail-type": IMAGE_ACTION,
    source: ECR_SOURCE,
    account,
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources: [],
    detail: {
      result: "SUCCESS",
      "repository-name": push.repository,
      "image-digest": digest,
      "action-type": "PUSH",
      "image-tag": push.tag,
      "manifest-media-type": "application/vnd.docker.distribution.manifest.v2+json",
    },
  };
  return {
    headers: { "content-type": "application/json; charset=utf-8", "x-webhook-secret": secret },
    query: new URLSearchParams(),
    body: Buffer.from(JSON.stringify(event)),
  };
}
