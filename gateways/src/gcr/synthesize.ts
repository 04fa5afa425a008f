import { createHash, randomInt } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";

/**
 * A Pub/Sub push of the INSERT the registry publishes for a tag push (tag and digest), token in the
 * endpoint URL. The registry reports no pusher, so none is sent.
 */
export function synthesizeGcrPush(push: SyntheticPush, secret: string): RequestWithBody {
  const name = `${push.host ?? "gcr.io"}/${push.repository}`;
  const digest = `sha256:${createHash("sha256").update(`${name}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const data = { action: "INSERT", digest: `${name}@${digest}`, tag: `${name}:${push.tag}` };
  const messageId = String(randomInt(2 ** 47));
  const publishTime = new Date().toISOString();
  const envelope = {
    message: {
      attributes: {},
      data: Buffer.from(JSON.stringify(data)).toString("base64"),
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: "projects/bosun-trigger/subscriptions/bosun",
  };
  return {
    headers: { "content-type": "application/json" },
    query: new URLSearchParams({ token: secret }),
    body: Buffer.from(JSON.stringify(envelope)),
  };
}
