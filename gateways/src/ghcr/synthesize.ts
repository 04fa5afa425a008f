import { createHash, createHmac, randomUUID } from "node:crypto";
import type { RequestWithBody, SyntheticPush } from "../registry.js";
import { GHCR_HOST } from "./container.js";

/** A `package` webhook for a published container version, signed as GitHub signs it. */
export function synthesizeGhcrPush(push: SyntheticPush, secret: string): RequestWithBody {
  const host = push.host ?? GHCR_HOST;
  const digest = `sha256:${createHash("sha256").update(`${push.repository}:${push.tag}:${Date.now()}`).digest("hex")}`;
  const [owner = "", ...rest] = push.repository.split("/");
  const name = rest.join("/") || owner;
  const now = new Date().toISOString();
  const mediaType = "application/vnd.oci.image.index.v1+json";
  const body = {
    action: "published",
    package: {
      name,
      namespace: owner,
      ecosystem: "CONTAINER",
      package_type: "CONTAINER",
      owner: { login: owner },
      updated_at: now,
      package_version: {
        name: digest,
        version: digest,
        created_at: now,
        container_metadata: {
          tag: { name: push.tag, digest },
          manifest: { digest, media_type: mediaType },
        },
        package_url: `${host}/${push.repository}:${push.tag}`,
      },
      registry: { name: "GitHub CONTAINER registry", type: "CONTAINER", url: `https://${host}` },
    },
    sender: { login: push.pusher ?? "bosun-trigger" },
  };
  const raw = Buffer.from(JSON.stringify(body));
  return {
    headers: {
      "content-type": "application/json",
      "x-github-event": "package",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`,
    },
    query: new URLSearchParams(),
    body: raw,
  };
}
