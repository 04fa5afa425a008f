/**
 * What the delivery log keeps of a request: the headers that explain it (never a credential), the
 * body within a bound, the images it reported, and why what it held did not become events.
 */
import type { DeliveryLogConfig } from "@bosun/core";
import type { DeliveryIgnored, DeliveryImage, NewDelivery } from "@bosun/store";
import type { IgnoredItem, ParsedPush, RequestHeaders } from "../registry.js";

export const DEFAULT_DELIVERY_LOG: DeliveryLogConfig = {
  keep: 10_000,
  maxAgeMs: 7 * 86_400_000,
  maxBodyBytes: 64 * 1024,
};

/** Headers that say what a delivery was: its id, its event type, who sent it and how. */
const KEPT = new Set(["content-type", "content-encoding", "user-agent", "x-github-hook-id"]);
const DESCRIBING =
  /(^|-)(delivery|event|event-type|request-id|message-id|hook-id)(-|$)|^ce-(id|type|source|specversion)$/;
/** Never kept, whatever else the name says ("X-JFrog-Event-Auth" is a credential). */
const SECRET = /auth|token|signature|secret|key|cookie|password|credential|session|jwt/;

export function headersToKeep(headers: RequestHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || SECRET.test(lower)) continue;
    if (!KEPT.has(lower) && !DESCRIBING.test(lower)) continue;
    kept[lower] = (Array.isArray(value) ? value.join(", ") : value).slice(0, 512);
  }
  return kept;
}

/** The delivery to record, before its outcome is known. */
export function deliveryOf(
  config: DeliveryLogConfig,
  registry: string,
  project: string,
  headers: RequestHeaders,
  body: Buffer | undefined,
  replayOf: string | undefined,
): NewDelivery {
  const whole = body ?? Buffer.alloc(0);
  const bodyTruncated = whole.length > config.maxBodyBytes;
  const delivery: NewDelivery = {
    registry,
    project,
    headers: headersToKeep(headers),
    body: (bodyTruncated ? whole.subarray(0, config.maxBodyBytes) : whole).toString("utf8"),
    bodyTruncated,
    images: [],
    ignored: [],
    keep: config.keep,
  };
  if (replayOf !== undefined) delivery.replayOf = replayOf;
  return delivery;
}

export function imagesOf(pushes: readonly ParsedPush[]): DeliveryImage[] {
  return pushes.map(({ image }) =>
    image.tag === undefined
      ? { repository: image.repository }
      : { repository: image.repository, tag: image.tag },
  );
}

/** What the parser set aside (a layer blob, a pull), in the log's words. */
export function parserIgnored(items: readonly IgnoredItem[]): DeliveryIgnored[] {
  return items.map((item) => ({ what: item.path, reasons: [item.reason] }));
}
