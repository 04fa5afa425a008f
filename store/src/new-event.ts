import type { NewEvent } from "@bosun/core";

/** A caller's mistake, not the database's: rejected before it could be mistaken for an outage. */
export function checkNewEvent(e: NewEvent, index: number): void {
  const fields: [string, unknown][] = [
    ["project", e?.project],
    ["source", e?.source],
    ["type", e?.type],
    ["payload", e?.payload],
    ["deliveryId", e?.deliveryId],
  ];
  // An event without an image is one created through the API (any source and type).
  if (e?.image !== undefined)
    fields.push(
      ["image.registry", e.image?.registry],
      ["image.repository", e.image?.repository],
      ["image.ref", e.image?.ref],
    );
  for (const [name, value] of fields) {
    if (typeof value !== "string" || (name !== "payload" && value === "")) {
      throw new TypeError(`acceptEvents: event ${index} has no ${name} (a non-empty string is required)`);
    }
  }
}
