import { hash } from "node:crypto";
import type { NewEvent } from "@bosun/core";
import type { ParsedPush, RegistryGateway } from "../registry.js";

/**
 * For registries without their own id: the body plus what identifies the push inside it, so a
 * redelivered body is stored once while each push of a multi-push body still gets its own id.
 */
export function derivedDeliveryId(body: Buffer, push: ParsedPush): string {
  const { repository, tag, digest } = push.image;
  const identity = Buffer.from([push.type, repository, tag ?? "", digest ?? ""].join("\0"));
  return hash("sha256", Buffer.concat([body, identity]), "hex");
}

/**
 * One event per parsed push, carrying the body exactly as received. A registry that signs the body
 * (reads: "body") signs nothing else, so its deliveries are told apart by the body alone: an id in a
 * header could be changed on a captured delivery to run it again.
 */
export function toNewEvents(
  gateway: RegistryGateway,
  project: string,
  body: Buffer,
  pushes: readonly ParsedPush[],
  payload = body.toString("utf8"),
): NewEvent[] {
  const signsBody = gateway.authenticator.reads === "body";
  return pushes.map((push) => ({
    project,
    source: gateway.kind,
    type: push.type,
    image: push.image,
    payload,
    deliveryId: (signsBody ? undefined : push.deliveryId) ?? derivedDeliveryId(body, push),
  }));
}
